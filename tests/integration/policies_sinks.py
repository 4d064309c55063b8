"""Loopback sinks for the policies integration tests: a tiny SMTP server (enough of RFC 5321 for
smtplib without TLS or AUTH) and a StatsD UDP listener. Both bind 127.0.0.1 on a free port and
are stopped by the test that started them."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage


class _SmtpHandler(socketserver.StreamRequestHandler):
    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        self._reply("220 canvas-test-sink ESMTP")
        sender, recipients = "", []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            command = raw.decode("utf-8", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self._reply("250-canvas-test-sink")
                self._reply("250 8BITMIME")
            elif verb == "HELO":
                self._reply("250 canvas-test-sink")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].strip(), []
                self._reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    line = self.rfile.readline()
                    if not line or line in (b".\r\n", b".\n"):
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                message = message_from_bytes(b"".join(lines), policy=policy.default)
                self.server.messages.append((sender, list(recipients), message))  # type: ignore[attr-defined]
                self._reply("250 OK: queued")
            elif verb in ("RSET", "NOOP"):
                self._reply("250 OK")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("502 Command not implemented")


class SmtpSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.messages: list[tuple[str, list[str], EmailMessage]] = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def __enter__(self) -> SmtpSink:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()

    def bodies(self) -> list[str]:
        out = []
        for _sender, _rcpts, message in self.messages:
            part = message.get_body(preferencelist=("html", "plain"))
            out.append(part.get_content() if part is not None else "")
        return out


class StatsdListener:
    """Collects StatsD datagrams ("name:value|type") sent to a loopback UDP port."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.lines: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    @property
    def port(self) -> int:
        return self.sock.getsockname()[1]

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            self.lines.extend(data.decode("utf-8", "replace").splitlines())

    def __enter__(self) -> StatsdListener:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        time.sleep(0.3)  # let the last datagrams land
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()

    def names(self) -> set[str]:
        return {line.split(":", 1)[0] for line in self.lines}
