#!/usr/bin/env python3
"""alert-sink: a webhook receiver that logs every Alertmanager notification it gets.

It is the stack's default receiver, so alerts are delivered somewhere visible with nothing
configured (`docker compose logs alert-sink`), and the integration test uses it to check
which receiver an alert was routed to.

    POST /<anything>   an Alertmanager webhook or Slack payload; logged, kept in memory
    GET  /received     the last 1000 notifications as JSON: [{"path", "body"}, ...]
    GET  /health       200 "ok"

Usage: alert_sink.py [--host 0.0.0.0] [--port 9095]. Python standard library only.
"""

import argparse
import json
import sys
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RECEIVED = deque(maxlen=1000)
LOCK = threading.Lock()


def summarize(path, body):
    """One log line per alert of a webhook payload, or one line for anything else."""
    if isinstance(body, dict) and isinstance(body.get("alerts"), list):
        return [
            "{} {} {} severity={} component={} {}".format(
                path,
                alert.get("status", "?"),
                alert.get("labels", {}).get("alertname", "?"),
                alert.get("labels", {}).get("severity", "?"),
                alert.get("labels", {}).get("component", "?"),
                alert.get("annotations", {}).get("summary", ""),
            )
            for alert in body["alerts"]
        ]
    if isinstance(body, dict) and "text" in body:  # a Slack message
        return ["{} slack {}".format(path, str(body.get("text", "")).splitlines()[:1])]
    return ["{} {} bytes".format(path, len(json.dumps(body)))]


class Handler(BaseHTTPRequestHandler):
    def _reply(self, code, payload, content_type="application/json"):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802 (http.server naming)
        if self.path == "/health":
            self._reply(200, b"ok\n", "text/plain")
        elif self.path == "/received":
            with LOCK:
                self._reply(200, list(RECEIVED))
        else:
            self._reply(404, {"error": "not found"})

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = raw.decode("utf-8", "replace")
        with LOCK:
            RECEIVED.append({"path": self.path, "body": body})
        for line in summarize(self.path, body):
            print(line, flush=True)
        self._reply(200, {"status": "ok"})

    def log_message(self, fmt, *args):
        pass  # one line per alert above is enough


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=9095)
    args = parser.parse_args()
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    print("alert-sink listening on {}:{}".format(args.host, server.server_port), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
