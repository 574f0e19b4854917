"""Run the PSB sandbox.

    python -m psb_sandbox --host 127.0.0.1 --port 8765 --client-id demo-client
    --client-secret demo-secret \\
        --party 0106:12345678 [--user NAME:PASSWORD] [--deliver order.xml --to
        https://odoo/hook#SECRET]

Its base URL serves as both the PSB API URL and the identity URL. ``--deliver`` stores
documents for the first ``--party`` once the server runs and delivers them as signed
webhook events; ``--to`` first registers that URL (with its ``#secret``) as a hook of
the party for every topic. Other processes drive the running sandbox through its control
API under ``/_sandbox/`` (see server.py).
"""

import argparse
import json
import sys
from pathlib import Path

from .server import PsbSandbox


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m psb_sandbox",
        description="A local stand-in for the eConnect PSB API and identity server.",
    )
    _add_server_options(parser.add_argument)
    _add_delivery_options(parser.add_argument)
    args = parser.parse_args(argv)
    _check_args(parser, args)
    return args


def _add_repeatable(add, name, **options):
    """Adds an option that may be given more than once: its values in a list."""
    add(name, action="append", default=[], **options)


def _add_server_options(add):
    """The options of the server: where it listens, the credentials it accepts."""
    add(
        "--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)"
    )
    add(
        "--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)"
    )
    add(
        "--client-id",
        default="sandbox-client",
        help="OAuth client id (default sandbox-client)",
    )
    add(
        "--client-secret",
        default="sandbox-secret",
        help="OAuth client secret (default sandbox-secret)",
    )
    _add_repeatable(
        add,
        "--user",
        metavar="NAME:PASSWORD",
        help="a user for the password grant (repeatable)",
    )
    _add_repeatable(
        add,
        "--party",
        metavar="PARTY_ID",
        help="a party id the credentials may use (repeatable; default 0106:12345678)",
    )
    add("--token-ttl", type=int, default=3600, help="access token lifetime in seconds")


def _add_delivery_options(add):
    """The options of what the sandbox sends: hooks, documents delivered, logging."""
    add(
        "--auto-response-hooks",
        action="store_true",
        help="send OrderResponseSent events for the Order Responses received",
    )
    _add_repeatable(
        add,
        "--deliver",
        metavar="FILE.xml",
        type=Path,
        help="store this document for the first --party and deliver its event "
        "(repeatable)",
    )
    add("--topic", default="OrderReceived", help="topic of the --deliver documents")
    add(
        "--to",
        metavar="URL#SECRET",
        help="register this hook action for the first --party first",
    )
    add("--quiet", action="store_true", help="do not log each request")


def _check_args(parser, args):
    """Stops with a usage error on the options parsed but not valid."""
    if any(":" not in user for user in args.user):
        parser.error("--user takes NAME:PASSWORD")
    if args.to and not args.to.startswith(("http://", "https://", "mailto:")):
        parser.error("--to takes an http(s) URL, with the signing secret as #fragment")
    for path in args.deliver:
        if not path.is_file():
            parser.error(f"--deliver: no file {path}")


def log(line):
    # the command line's output
    # pylint: disable-next=print-used
    print(line, file=sys.stderr, flush=True)


def main(argv=None):
    args = parse_args(argv)
    sandbox = PsbSandbox(
        args.host,
        args.port,
        clients={args.client_id: args.client_secret},
        users=dict(user.split(":", 1) for user in args.user),
        parties=args.party or None,
        token_ttl=args.token_ttl,
        auto_response_hooks=args.auto_response_hooks,
        log=None if args.quiet else log,
    )
    sandbox.start()
    log(
        f"PSB sandbox on {sandbox.url} (API and identity server; parties: "
        f"{', '.join(sandbox.parties)}; "
        f"control API under {sandbox.url}/_sandbox/)"
    )
    try:
        party = sandbox.parties[0]
        if args.to:
            with sandbox.lock:
                sandbox.hooks.setdefault(party, {})["sandbox-cli"] = {
                    "id": "sandbox-cli",
                    "name": "python -m psb_sandbox --to",
                    "action": args.to,
                    "topics": ["*"],
                    "isActive": True,
                }
            if "#" not in args.to:
                log("warning: --to has no #secret: its events are not signed")
        for path in args.deliver:
            document_id = sandbox.add_document(
                party, path.read_bytes(), topic=args.topic
            )
            results = sandbox.deliver(document_id)
            log(
                f"{path.name}: document {document_id} for {party}; deliveries: "
                f"{json.dumps(results)}"
            )
        sandbox.join()
    except KeyboardInterrupt:  # pylint: disable=except-pass  # Ctrl+C stops the sandbox
        pass
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main()
