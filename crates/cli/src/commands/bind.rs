//! What to tell a user whose `serve` could not bind its address: a hint that fits the
//! cause, so that `--host 999.1.1.1` is not told "in use? pick another with --port".

use std::io::ErrorKind;
use std::net::IpAddr;

/// The context of a failed bind of `host:port`: the address and the fix that fits `err`.
pub(crate) fn bind_failure(host: &str, port: u16, err: &std::io::Error) -> String {
    let addr = format!("{host}:{port}");
    let kind = err.kind();
    let hint = if kind == ErrorKind::AddrInUse {
        format!("port {port} is in use; pick another with --port")
    } else if kind == ErrorKind::AddrNotAvailable {
        format!(
            "{host} is not an address of this machine; use --host 127.0.0.1, 0.0.0.0 or one of its interfaces"
        )
    } else if kind == ErrorKind::PermissionDenied {
        format!("port {port} needs privileges; pick one above 1023 with --port")
    } else if host.parse::<IpAddr>().is_err() {
        format!(
            "--host {host} is neither an IP address nor a name that resolves; e.g. --host 127.0.0.1 or --host 0.0.0.0"
        )
    } else {
        return format!("binding {addr}");
    };
    format!("binding {addr} ({hint})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bind_failure_gets_its_own_hint() {
        let cases = [
            (
                "in use",
                "127.0.0.1",
                ErrorKind::AddrInUse,
                "binding 127.0.0.1:8000 (port 8000 is in use; pick another with --port)",
            ),
            (
                "not this machine's",
                "10.255.255.1",
                ErrorKind::AddrNotAvailable,
                "binding 10.255.255.1:8000 (10.255.255.1 is not an address of this machine; use --host 127.0.0.1, 0.0.0.0 or one of its interfaces)",
            ),
            (
                "privileged",
                "0.0.0.0",
                ErrorKind::PermissionDenied,
                "binding 0.0.0.0:8000 (port 8000 needs privileges; pick one above 1023 with --port)",
            ),
            (
                "no such host",
                "999.1.1.1",
                ErrorKind::Other,
                "binding 999.1.1.1:8000 (--host 999.1.1.1 is neither an IP address nor a name that resolves; e.g. --host 127.0.0.1 or --host 0.0.0.0)",
            ),
            (
                "anything else",
                "127.0.0.1",
                ErrorKind::Other,
                "binding 127.0.0.1:8000",
            ),
        ];
        for (label, host, kind, expected) in cases {
            let err = std::io::Error::new(kind, "x");
            assert_eq!(bind_failure(host, 8000, &err), expected, "{label}");
        }
    }
}
