"""A real SMTP server for the notify tests: Debian's aiosmtpd, run as its own
process by the tests (make test installs python3-aiosmtpd).

Each accepted message is written, exactly as received, to DIR/<n>.eml, with
its envelope in DIR/<n>.json ({"mail_from": ..., "rcpt_tos": [...],
"auth": login or null, "tls": bool}); both appear atomically (written under
a temporary name, then renamed), the .json before the .eml, so a reader
that finds an .eml always finds its envelope. It prints "ready" once listening.

  smtpd.py --port P --dir DIR [--mode plain|starttls|smtps --cert C --key K]
           [--user U --password W] [--reject ADDR ...] [--tempfail N]
"""

import argparse
import asyncio
import json
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--mode", choices=["plain", "starttls", "smtps"], default="plain")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--reject", action="append", default=[], help="refuse this recipient with 550")
    p.add_argument("--tempfail", type=int, default=0, help="answer the first N messages with 451")
    a = p.parse_args()

    state = {"n": 0, "tempfail": a.tempfail}

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address in a.reject:
                return "550 5.1.1 no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            if state["tempfail"] > 0:
                state["tempfail"] -= 1
                return "451 4.3.0 try again later"
            state["n"] += 1
            base = os.path.join(a.dir, "%06d" % state["n"])
            meta = {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "auth": getattr(session, "redline_login", None),
                "tls": server.transport.get_extra_info("ssl_object") is not None,
            }
            # The envelope first: readers look for the .eml and then read its .json.
            for suffix, data in ((".json", json.dumps(meta).encode()), (".eml", envelope.original_content)):
                with open(base + suffix + ".tmp", "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.rename(base + suffix + ".tmp", base + suffix)
            return "250 2.0.0 accepted as %d" % state["n"]

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and a.user is not None
            and auth_data.login == a.user.encode()
            and auth_data.password == a.password.encode()
        )
        if ok:
            session.redline_login = auth_data.login.decode()
        return AuthResult(success=ok, handled=False)

    tls = None
    if a.mode != "plain":
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(a.cert, a.key)

    kwargs = dict(hostname="smtp.test", decode_data=False, enable_SMTPUTF8=True)
    if a.user:
        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=(a.mode != "plain"))
    if a.mode == "starttls":
        kwargs.update(tls_context=tls, require_starttls=True)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(
        loop.create_server(lambda: SMTP(Handler(), loop=loop, **kwargs), a.host, a.port,
                           ssl=tls if a.mode == "smtps" else None)
    )
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    print("ready", flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    sys.exit(main())
