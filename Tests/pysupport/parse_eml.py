"""Parses one RFC 5322 message with Python's `email` package and prints what a mail reader sees.

The Outbound tests use it as an independent reader of what MIMEMessage renders: headers decoded
(RFC 2047 encoded-words included), every text part decoded from its transfer encoding, and the
defects the parser noticed. Usage: parse_eml.py FILE  ->  JSON on stdout.
"""

import email
import email.policy
import json
import sys


def main():
    with open(sys.argv[1], "rb") as f:
        raw = f.read()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        parts.append({
            "content_type": part.get_content_type(),
            "charset": part.get_content_charset(),
            "transfer_encoding": part.get("Content-Transfer-Encoding"),
            # Lines as a reader sees them: the CRLF of the wire format is not part of the text.
            "text": part.get_content().replace("\r\n", "\n"),
        })
    print(json.dumps({
        "headers": [[name, str(value)] for name, value in message.items()],
        "content_type": message.get_content_type(),
        "parts": parts,
        "defects": [type(d).__name__ for d in message.defects]
                   + [type(d).__name__ for p in message.walk() for d in p.defects],
    }))


if __name__ == "__main__":
    main()
