"""``python -m infra.local``: serve the embedded local stack over HTTP.

Everything (DynamoDB, S3, SES, Lambda, Step Functions) is moto in this one process,
provisioned from template.yaml and seeded with infra/demo_org.json; state lives in
memory and is gone when the process ends. Ctrl-C (SIGINT) or SIGTERM stops cleanly.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from types import FrameType

from infra.local.stack import LocalStack

DEFAULT_PORT = 3000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__)
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("PORT") or DEFAULT_PORT),
        help="port on 127.0.0.1 (default: $PORT or 3000; 0: a free one, printed when ready)",
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a template parameter override, as sam deploy --parameter-overrides takes it (repeatable)",
    )
    parser.add_argument(
        "--issuer-port",
        type=int,
        default=int(os.environ.get("ISSUER_PORT") or 0),
        help="port of the local identity provider on 127.0.0.1 (default: $ISSUER_PORT or a free one)",
    )
    return parser.parse_args(argv)


def parameter_overrides(pairs: list[str]) -> dict[str, str]:
    """``Name=Value`` pairs (the value may hold ``=``); a pair without ``=`` is refused."""
    overrides: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise SystemExit(f"--param {pair!r}: expected Name=Value")
        overrides[name] = value
    return overrides


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    url = f"http://127.0.0.1:{args.port}"
    stack = LocalStack(
        public_base_url=url, parameter_overrides=parameter_overrides(args.param), issuer_port=args.issuer_port
    ).start()

    def stop(signum: int, _frame: FrameType | None) -> None:
        print(f"\nstopping ({signal.Signals(signum).name})", flush=True)
        stack.shutdown()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    def ready(bound_url: str) -> None:
        users = stack.invoke_http("GET", "/_local/users").json()
        elapsed = time.monotonic() - started
        print(f"OA local stack ready in {elapsed:.1f}s at {bound_url}", flush=True)
        print(f"staff pages: open {bound_url}/ and pick a demo user on the sign-in page")
        print('demo users (API clients: POST /_local/login {"user_id": ...} for a bearer token):')
        for user in users:
            roles = ",".join(user.get("roles") or [])
            print(f"  {user['user_id']:<14} {user.get('name', ''):<6} {roles}")
        print(f"outbox: {bound_url}/_local/outbox    health: {bound_url}/health")
        if stack.issuer is not None:
            print(f"identity provider ({stack.issuer.mode}, local stand-in): {stack.issuer.issuer}", flush=True)

    try:
        stack.serve_forever(args.port, on_ready=ready)
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
