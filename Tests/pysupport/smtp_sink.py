"""A real SMTP server (aiosmtpd) for the Outbound tests: every accepted message lands in a folder.

The Swift tests start it with Foundation.Process, wait for the line `READY <port>` on stdout and
then read what arrived. One process serves one test; it exits when its stdin closes (so a crashed
test run leaves nothing behind) or on SIGTERM.

Each accepted message is written as `<n>.eml` (the bytes after SMTP un-dot-stuffing) plus
`<n>.json` with the envelope, so tests can check both the MIME text and what the client said in
MAIL FROM / RCPT TO. Files are written to a temp name and renamed, so a reader never sees half.

Modes:
  --tls none|starttls|implicit   implicit is smtps (TLS from the first byte)
  --cert-dir DIR                 where a self-signed cert for localhost/127.0.0.1 is generated
                                 (cert.pem, key.pem) with `openssl req`; needed for TLS modes
  --user U --password P          accept AUTH PLAIN/LOGIN with exactly these credentials
  --auth-over-plain              allow AUTH without TLS (aiosmtpd requires TLS by default)
  --auth-only-login              offer AUTH LOGIN but not PLAIN
  --tempfail-rcpt N              answer 451 to RCPT for the first N recipients
  --reject-rcpt                  answer 550 to every RCPT
"""

import argparse
import asyncio
import json
import os
import signal
import socket
import ssl
import subprocess
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def make_cert(cert_dir):
    cert = os.path.join(cert_dir, "cert.pem")
    key = os.path.join(cert_dir, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-keyout", key, "-out", cert],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


class Sink:
    def __init__(self, folder, tempfail, reject):
        self.folder = folder
        self.tempfail = tempfail
        self.reject = reject
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject:
            return "550 5.1.1 Mailbox unavailable"
        if self.tempfail > 0:
            self.tempfail -= 1
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.folder, str(self.count))
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                "tls": session.ssl is not None or server.transport.get_extra_info("sslcontext") is not None,
                "authenticated": bool(session.authenticated)}
        with open(base + ".json.tmp", "w") as f:
            json.dump(meta, f)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".json.tmp", base + ".json")
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 OK"


def authenticator_for(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode() and auth_data.password == password.encode())
        # handled=False makes aiosmtpd answer 535 itself (its default, handled=True, answers nothing).
        return AuthResult(success=ok, handled=False)
    return authenticate


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", required=True)
    parser.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    parser.add_argument("--cert-dir")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--auth-over-plain", action="store_true")
    parser.add_argument("--auth-only-login", action="store_true")
    parser.add_argument("--tempfail-rcpt", type=int, default=0)
    parser.add_argument("--reject-rcpt", action="store_true")
    args = parser.parse_args()

    context = make_cert(args.cert_dir) if args.tls != "none" else None
    sink = Sink(args.folder, args.tempfail_rcpt, args.reject_rcpt)
    kwargs = {"hostname": "sink.test", "enable_SMTPUTF8": True}
    if args.tls == "starttls":
        kwargs["tls_context"] = context
    if args.user is not None:
        kwargs["authenticator"] = authenticator_for(args.user, args.password)
    if args.auth_only_login:
        kwargs["auth_exclude_mechanism"] = ["PLAIN"]
    # aiosmtpd only counts STARTTLS as encryption, so implicit TLS must lift its TLS-for-AUTH rule.
    kwargs["auth_require_tls"] = not (args.auth_over_plain or args.tls == "implicit")

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, **kwargs), sock=sock,
        ssl=context if args.tls == "implicit" else None)
    print(f"READY {sock.getsockname()[1]}", flush=True)

    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_reader(sys.stdin.fileno(), lambda: stop.set() if not os.read(sys.stdin.fileno(), 4096) else None)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
