"""Reliability drills against a running `reelcast serve` on 127.0.0.1 (issue 16).

Run through bench/drills.sh, which starts the server with the settings each drill needs.
Every drill is bounded in count and time, prints one summary line of figures, and exits 1
when a failure criterion is met:

  idle  PORT PID N       N idle + N half-open sockets while /health/live is probed; every
                         socket must be closed by the server, probes must answer 200 once
                         the held reserved slots time out, and the server's open files
                         must come back to where they were
  flood PORT SECONDS     hostile requests over 32 keep-alive connections; no 5xx but the
                         planned 503s, no hang, and the server still answers
  swap  PORT TOKEN SECONDS  /predict/movie over 16 connections while the caller retrains
                         and POST /model/reload swaps versions; no request may fail

Standard library only.
"""

import json
import os
import random
import socket
import sys
import threading
import time

HOST = "127.0.0.1"
MOVIE = {"title": "The Kid", "startYear": 1921, "runtimeMinutes": 68, "numVotes": 40584,
         "genres": ["Comedy", "Drama"]}


def request(method, path, body=b"", headers=None):
    """Raw bytes of one keep-alive HTTP/1.1 request."""
    lines = [f"{method} {path} HTTP/1.1", "host: drill"]
    for k, v in (headers or {}).items():
        lines.append(f"{k}: {v}")
    if body is not None and "transfer-encoding" not in (headers or {}):
        lines.append(f"content-length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


class Conn:
    """A keep-alive client connection reading Content-Length-framed responses."""

    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.buf = b""

    def exchange(self, raw):
        """Sends `raw`, returns (status, headers-lowercased text, body bytes)."""
        self.sock.sendall(raw)
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed before a response head")
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        text = head.decode("latin-1").lower()
        status = int(text.split(" ", 2)[1])
        length = 0
        for line in text.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.strip() == "content-length":
                length = int(value.strip())
        while len(self.buf) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed mid-body")
            self.buf += chunk
        body, self.buf = self.buf[:length], self.buf[length:]
        return status, text, body

    def close(self):
        self.sock.close()


def open_files(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def probe(port):
    """Status of GET /health/live on a new connection, or the error's name."""
    try:
        c = Conn(port, timeout=2.0)
        status, _, _ = c.exchange(request("GET", "/health/live", None, {"connection": "close"}))
        c.close()
        return status
    except OSError as e:
        return type(e).__name__


def drill_idle(port, pid, n):
    before = open_files(pid)
    socks = []
    for i in range(2 * n):
        s = socket.create_connection((HOST, port), timeout=30)
        if i % 2:
            s.sendall(b"POST /predict/movie HTTP/1.1\r\nhost: drill\r\ncontent-")
        socks.append(s)
    opened = time.monotonic()
    probes = []
    pending = list(socks)
    outcomes = {"eof": 0, "408": 0, "503": 0, "other": 0}
    deadline = opened + 30
    while pending and time.monotonic() < deadline:
        probes.append((time.monotonic() - opened, probe(port)))
        still = []
        for s in pending:
            s.setblocking(False)
            try:
                data = s.recv(4096)
            except BlockingIOError:
                still.append(s)
                continue
            except ConnectionResetError:
                data = b""
            if not data:
                outcomes["eof"] += 1
            elif data.startswith(b"HTTP/1.1 408"):
                outcomes["408"] += 1
            elif data.startswith(b"HTTP/1.1 503"):
                outcomes["503"] += 1
            else:
                outcomes["other"] += 1
            s.close()
        pending = still
        time.sleep(0.1)
    closed_after = time.monotonic() - opened
    for s in pending:
        s.close()
    time.sleep(0.5)
    after = open_files(pid)
    failed = [p for p in probes if p[1] != 200]
    last_failed = max((t for t, _ in failed), default=0.0)
    print(f"idle: {2 * n} sockets ({n} idle, {n} half-open); all closed by the server in "
          f"{closed_after:.1f} s: {outcomes}; still open {len(pending)}; /health/live probes "
          f"{len(probes)}, non-200 {len(failed)} (last at {last_failed:.1f} s); server open "
          f"files {before} before, {after} after")
    ok = (not pending and outcomes["other"] == 0 and after <= before + 5
          and all(p[1] == 200 for p in probes if p[0] > 2.5))
    return ok


HOSTILE = [
    ("POST", "/predict/movie", b"", {}),
    ("POST", "/predict/movie", b"{", {"content-type": "application/json"}),
    ("POST", "/predict/movie", b"[1,2]", {"content-type": "application/json"}),
    ("POST", "/predict/movie", b"\xff\xfe\x00", {"content-type": "application/json"}),
    ("POST", "/predict/movie", b"[" * 10000, {"content-type": "application/json"}),
    ("POST", "/predict/movie", b'{"startYear":1e400,"runtimeMinutes":-1,"numVotes":"x"}',
     {"content-type": "application/json"}),
    ("POST", "/predict/movie", b'{"startYear":2000,"genres":' + b'"Drama,' * 5000 + b'"}',
     {"content-type": "application/json"}),
    ("POST", "/predict/movie", json.dumps(MOVIE).encode(), {"content-type": "text/plain"}),
    ("POST", "/predict/batch", b'{"movies":[' + b"{}," * 5000 + b"{}]}",
     {"content-type": "application/json"}),
    ("POST", "/predict/batch", b'{"movies":' + b"[" * 3000 + b"]" * 3000 + b"}",
     {"content-type": "application/json"}),
    ("POST", "/predict", b'{"text":"' + "é".encode() * 20000 + b'"}',
     {"content-type": "application/json"}),
    ("POST", "/feedback", b'{"items":[{"prediction":"NaN","actual":1e309}]}',
     {"content-type": "application/json"}),
    ("POST", "/monitoring/data-drift/check", b'{"rows":null}',
     {"content-type": "application/json"}),
    ("GET", "/predict/movie", None, {}),
    ("DELETE", "/health", None, {}),
    ("GET", "/%00%ff/../../etc/passwd", None, {}),
    ("GET", "/model/info?" + "a=1&" * 2000, None, {}),
    ("POST", "/model/reload", b"", {"authorization": "Bearer wrong"}),
    ("POST", "/predict/movie", b"x" * (2 * 1024 * 1024), {"content-type": "application/json"}),
]


def drill_flood(port, seconds):
    stop = time.monotonic() + seconds
    counts = {}
    errors = []
    lock = threading.Lock()

    def worker(seed):
        rng = random.Random(seed)
        local = {}
        conn = None
        while time.monotonic() < stop:
            method, path, body, headers = rng.choice(HOSTILE)
            if rng.random() < 0.3:
                body = bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 512)))
                headers = {"content-type": "application/json"}
                method, path = "POST", rng.choice(["/predict/movie", "/predict/batch", "/feedback"])
            try:
                if conn is None:
                    conn = Conn(port)
                status, head, _ = conn.exchange(request(method, path, body, headers))
                local[status] = local.get(status, 0) + 1
                if "connection: close" in head:
                    conn.close()
                    conn = None
            except OSError as e:
                # A 413 answered before the body was read closes the connection after it;
                # anything else is a failure.
                with lock:
                    errors.append(f"{method} {path}: {type(e).__name__} {e}")
                conn = None
        with lock:
            for k, v in local.items():
                counts[k] = counts.get(k, 0) + v

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = sum(counts.values())
    server_errors = {k: v for k, v in counts.items() if k >= 500 and k != 503}
    alive = probe(port)
    print(f"flood: {total} hostile requests in {seconds} s over 32 connections; statuses "
          f"{dict(sorted(counts.items()))}; unplanned 5xx {sum(server_errors.values())}; "
          f"transport errors {len(errors)}; /health/live afterwards {alive}")
    for e in errors[:5]:
        print("  ", e)
    return not server_errors and not errors and alive == 200 and total > 0


def drill_swap(port, token, seconds):
    stop = time.monotonic() + seconds
    ok = [0]
    failures = []
    versions = set()
    lock = threading.Lock()
    body = json.dumps(MOVIE).encode()

    def worker():
        conn = Conn(port)
        n = 0
        while time.monotonic() < stop:
            try:
                status, _, reply = conn.exchange(
                    request("POST", "/predict/movie", body, {"content-type": "application/json"}))
                if status != 200:
                    with lock:
                        failures.append(f"{status} {reply[:200]!r}")
                else:
                    n += 1
                    with lock:
                        versions.add(json.loads(reply)["model_version"])
            except OSError as e:
                with lock:
                    failures.append(f"{type(e).__name__} {e}")
                conn = Conn(port)
        with lock:
            ok[0] += n

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    swaps = 0
    # The caller registers new versions in the background; reloading often catches each.
    while time.monotonic() < stop:
        c = Conn(port)
        status, _, reply = c.exchange(request("POST", "/model/reload", b"",
                                              {"authorization": f"Bearer {token}"}))
        c.close()
        if status == 200 and json.loads(reply).get("reloaded"):
            swaps += 1
        time.sleep(0.2)
    for t in threads:
        t.join()
    print(f"swap: {ok[0]} predictions over 16 connections in {seconds} s, {swaps} hot swaps, "
          f"model versions seen {sorted(versions)}; failed requests {len(failures)}")
    for f in failures[:5]:
        print("  ", f)
    return not failures and swaps > 0 and ok[0] > 0


def main():
    kind, port = sys.argv[1], int(sys.argv[2])
    if kind == "idle":
        ok = drill_idle(port, int(sys.argv[3]), int(sys.argv[4]))
    elif kind == "flood":
        ok = drill_flood(port, float(sys.argv[3]))
    elif kind == "swap":
        ok = drill_swap(port, sys.argv[3], float(sys.argv[4]))
    else:
        sys.exit(f"unknown drill {kind}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
