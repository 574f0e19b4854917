"""Run the PSB sandbox: ``python -m psb_sandbox --port 8765``."""
import argparse
import sys

from .server import PsbSandbox


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m psb_sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--client-id", default="sandbox-client")
    parser.add_argument("--client-secret", default="sandbox-secret")
    parser.add_argument("--user", action="append", default=[], metavar="NAME:PASSWORD",
                        help="a user for the password grant (repeatable)")
    parser.add_argument("--party", action="append", default=[], help="a party id the credentials may use (repeatable)")
    parser.add_argument("--auto-response-hooks", action="store_true",
                        help="deliver OrderResponseSent events for the order responses received")
    args = parser.parse_args(argv)
    users = dict(u.split(":", 1) for u in args.user)
    sandbox = PsbSandbox(args.host, args.port, clients={args.client_id: args.client_secret}, users=users,
                         parties=args.party or None, auto_response_hooks=args.auto_response_hooks,
                         log=lambda line: print(line, file=sys.stderr, flush=True))
    print(f"PSB sandbox on {sandbox.url} (parties: {', '.join(sandbox.parties)})", file=sys.stderr, flush=True)
    try:
        sandbox.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
