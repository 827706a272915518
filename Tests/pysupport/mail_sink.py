"""A real SMTP server for the mail tests: aiosmtpd's Controller in this process, on a free
loopback port, collecting every accepted message parsed (headers, text and HTML parts, links).

    with MailSink() as sink:                      # started on 127.0.0.1:<free port>
        serve(..., "--smtp-url", sink.url)
        mail = sink.wait_for(lambda m: "bob@example.com" in m.to, deadline_s=60)
        sink.refuse_next(3)                       # the next 3 DATA commands get 451 (try later)
        sink.stop(); ...; sink.start()            # down for a while, back on the SAME port

Messages can also be read from `.eml` files (the server's `--mail-dir` drop) with `parse_eml`.
Nothing here is a mock: the product's SMTP client talks to a real SMTP server over TCP.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"
URL_IN_TEXT = re.compile(r"https?://[^\s<>\"')]+")


def free_port(host: str = HOST) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            for name, value in attrs:
                if name == "href" and value:
                    self.hrefs.append(value)


@dataclass
class Mail:
    """One message as a receiver sees it."""

    raw: bytes
    envelope_from: str = ""
    envelope_to: list[str] = field(default_factory=list)
    received_at: float = 0.0
    message: EmailMessage | None = None

    def __post_init__(self) -> None:
        if self.message is None:
            self.message = email.message_from_bytes(self.raw, policy=email.policy.default)  # type: ignore[assignment]

    def header(self, name: str) -> str | None:
        value = self.message.get(name)
        return None if value is None else str(value)

    @property
    def subject(self) -> str:
        return self.header("Subject") or ""

    @property
    def to(self) -> str:
        """The To header (decoded), with the envelope recipients appended."""
        return " ".join([self.header("To") or "", *self.envelope_to])

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""

    def content_types(self) -> list[str]:
        return [part.get_content_type() for part in self.message.walk()]

    @property
    def text_links(self) -> list[str]:
        return URL_IN_TEXT.findall(self.text)

    @property
    def html_links(self) -> list[str]:
        parser = _Links()
        parser.feed(self.html)
        return parser.hrefs

    def token(self) -> str | None:
        """The `token=` query value of the first link that has one (text part first)."""
        for link in self.text_links + self.html_links:
            values = parse_qs(urlsplit(link).query).get("token")
            if values:
                return values[0]
        return None


def parse_eml(path: Path) -> Mail:
    return Mail(raw=path.read_bytes(), received_at=path.stat().st_mtime)


class _Handler:
    def __init__(self, sink: "MailSink") -> None:
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        return self.sink._data(envelope)


class MailSink:
    """aiosmtpd on 127.0.0.1; `port` stays the same across stop()/start()."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.messages: list[Mail] = []
        self.attempts = 0  # DATA commands seen, refused ones included
        self.refused = 0
        self._refuse_remaining = 0
        self._refuse_reply = "451 4.3.0 Try again later"
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://{HOST}:{self.port}"

    @property
    def running(self) -> bool:
        return self._controller is not None

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> "MailSink":
        assert self._controller is None, "already running"
        deadline = time.monotonic() + 30
        while True:
            controller = Controller(_Handler(self), hostname=HOST, port=self.port, ready_timeout=10,
                                    decode_data=False)
            try:
                controller.start()
                break
            except Exception:  # the port may linger in TIME_WAIT-like state for a moment
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self._controller = controller
        return self

    def stop(self) -> None:
        """Stops listening: connections to the port are refused until start()."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> "MailSink":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- behaviour ----------------------------------------------------------------------------

    def refuse_next(self, count: int, reply: str = "451 4.3.0 Try again later") -> None:
        """The next `count` messages are answered `reply` (a transient failure) at DATA."""
        with self._lock:
            self._refuse_remaining = count
            self._refuse_reply = reply

    def _data(self, envelope) -> str:
        with self._lock:
            self.attempts += 1
            if self._refuse_remaining > 0:
                self._refuse_remaining -= 1
                self.refused += 1
                return self._refuse_reply
            raw = envelope.original_content or envelope.content
            if isinstance(raw, str):
                raw = raw.encode("utf-8")
            self.messages.append(Mail(raw=raw, envelope_from=envelope.mail_from or "",
                                      envelope_to=list(envelope.rcpt_tos), received_at=time.time()))
        return "250 Message accepted for delivery"

    # -- reading ------------------------------------------------------------------------------

    def matching(self, predicate: Callable[[Mail], bool]) -> list[Mail]:
        with self._lock:
            return [m for m in self.messages if predicate(m)]

    def to(self, address: str) -> list[Mail]:
        return self.matching(lambda m: address.lower() in m.to.lower())

    def wait_for(self, predicate: Callable[[Mail], bool], deadline_s: float = 60.0, count: int = 1) -> list[Mail]:
        """Polls until at least `count` messages match; fails (AssertionError) after the deadline."""
        deadline = time.monotonic() + deadline_s
        while True:
            found = self.matching(predicate)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                with self._lock:
                    seen = [(m.to, m.subject) for m in self.messages]
                raise AssertionError(f"no {count} matching mail(s) within {deadline_s} s; received: {seen}; "
                                     f"attempts {self.attempts}, refused {self.refused}")
            time.sleep(0.1)

    def wait_to(self, address: str, deadline_s: float = 60.0, count: int = 1) -> list[Mail]:
        return self.wait_for(lambda m: address.lower() in m.to.lower(), deadline_s, count)
