#!/usr/bin/python3
"""smtp_sink.py PORT — a real SMTP server (Debian python3-aiosmtpd) on
127.0.0.1:PORT for the mail tests. Every message it takes is printed on
stdout as one JSON line: the envelope, the headers that matter (decoded)
and the text and HTML parts. A recipient whose local part starts with
"reject" is refused with 550 (a permanent failure). Prints "ready" first."""
import asyncio
import email
import email.policy
import json
import os
import signal
import sys

from aiosmtpd.controller import Controller

# SINK_QUIET=1 (bench/mail.sh): only the recipients, unparsed, so that
# the sender's rate is measured rather than this parser's.
QUIET = os.environ.get("SINK_QUIET") == "1"


class Sink:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # A recipient whose address starts with "slow" holds the sender for
        # 2 s after a {"sending": [...]} line: a test changes things then.
        if any(a.startswith("slow") for a in envelope.rcpt_tos):
            print(json.dumps({"sending": envelope.rcpt_tos}), flush=True)
            await asyncio.sleep(2)
        if QUIET:
            # flushed every 100th: bench/mail.sh counts the lines as it goes
            self.taken = getattr(self, "taken", 0) + 1
            print(json.dumps({"rcpt_tos": envelope.rcpt_tos}), flush=self.taken % 100 == 0)
            return "250 Message accepted"
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parts = {}
        for part in msg.walk():
            ctype = part.get_content_type()
            if ctype in ("text/plain", "text/html"):
                parts[ctype] = part.get_content()
        out = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "headers": {k.lower(): str(msg[k]) for k in (
                "From", "To", "Subject", "Message-ID", "Date", "MIME-Version", "Content-Type",
                "List-Unsubscribe", "List-Unsubscribe-Post", "Auto-Submitted") if msg[k] is not None},
            "text": parts.get("text/plain"),
            "html": parts.get("text/html"),
            "raw_size": len(envelope.content),
        }
        print(json.dumps(out), flush=True)
        return "250 Message accepted"


def main():
    port = int(sys.argv[1])
    ctl = Controller(Sink(), hostname="127.0.0.1", port=port)
    ctl.start()
    print("ready", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (sys.stdout.flush(), ctl.stop(), sys.exit(0)))
    try:
        signal.pause()
    except KeyboardInterrupt:
        ctl.stop()


if __name__ == "__main__":
    main()
