"""A minimal SMTP server on 127.0.0.1 for tests (RFC 5321 subset, standard library only).

Enough for Python's smtplib and so Django's SMTP backend: EHLO/HELO, MAIL, RCPT, DATA,
RSET, NOOP, QUIT. Recipients in ``refuse`` get a permanent 550.
"""

from __future__ import annotations

import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_to: list[str]
    data: bytes


@dataclass
class _Envelope:
    mail_from: str = ""
    rcpt_to: list[str] = field(default_factory=list)


class FakeSmtp:
    def __init__(self) -> None:
        self.received: list[ReceivedMail] = []
        self.refuse: set[str] = set()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> FakeSmtp:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeSmtp


def _address(argument: str) -> str:
    return argument.split(":", 1)[1].strip().split()[0].strip("<>")


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        fake = self.server.fake
        envelope = _Envelope()
        self.reply("220 127.0.0.1 fake ESMTP")
        while raw := self.rfile.readline():
            line = raw.decode("ascii", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb in {"EHLO", "HELO"}:
                self.reply("250 127.0.0.1")
            elif verb == "MAIL":
                envelope = _Envelope(mail_from=_address(line))
                self.reply("250 OK")
            elif verb == "RCPT":
                recipient = _address(line)
                if recipient in fake.refuse:
                    self.reply("550 5.1.1 No such user")
                else:
                    envelope.rcpt_to.append(recipient)
                    self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                fake.received.append(
                    ReceivedMail(envelope.mail_from, envelope.rcpt_to, self._read_data())
                )
                envelope = _Envelope()
                self.reply("250 OK queued")
            elif verb in {"RSET", "NOOP"}:
                envelope = _Envelope() if verb == "RSET" else envelope
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def _read_data(self) -> bytes:
        lines: list[bytes] = []
        while (raw := self.rfile.readline()) not in {b".\r\n", b".\n", b""}:
            lines.append(raw[1:] if raw.startswith(b"..") else raw)
        return b"".join(lines)
