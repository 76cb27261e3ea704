"""``python -m infra.local``: serve the embedded local stack over HTTP.

Everything (DynamoDB, S3, SES, Lambda, Step Functions) is moto in this one process,
provisioned from template.yaml and seeded with infra/demo_org.json (or ``--org-file``); state lives in
memory and is gone when the process ends. Ctrl-C (SIGINT) or SIGTERM stops cleanly.

The console shows what a person needs: the URL, the demo users (name, department, roles) and one line
per request (time, method, path with secret ids redacted, status, milliseconds). Everything else the
handlers and libraries write (Powertools' JSON log lines, werkzeug's access log, the tracebacks of
failed requests) goes to the log file (``--log-file``, default ``.aws-sam/local.log``).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import TextIO

from infra.local.messages import Console
from infra.local.stack import DEMO_ORG_PATH, LocalStack

DEFAULT_PORT = 3000
DEFAULT_LOG = ".aws-sam/local.log"


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
        "--params",
        default=os.environ.get("OA_LOCAL_PARAMS", ""),
        metavar="'NAME=VALUE …'",
        help="template parameter overrides in one string, as sam deploy --parameter-overrides takes them: "
        "Name=Value pairs separated by spaces (a value with spaces in quotes) or "
        "ParameterKey=Name,ParameterValue=Value "
        "(default: $OA_LOCAL_PARAMS, which make run PARAMS=… sets)",
    )
    parser.add_argument(
        "--org-file",
        default=os.environ.get("OA_LOCAL_ORG") or str(DEMO_ORG_PATH),
        metavar="PATH",
        help="the organisation file to seed, as make seed-org takes it (default: $OA_LOCAL_ORG or infra/demo_org.json)",
    )
    parser.add_argument(
        "--issuer-port",
        type=int,
        default=int(os.environ.get("ISSUER_PORT") or 0),
        help="port of the local identity provider on 127.0.0.1 (default: $ISSUER_PORT or a free one)",
    )
    parser.add_argument(
        "--log-file",
        default=os.environ.get("OA_LOCAL_LOG") or DEFAULT_LOG,
        help=f"where the handlers' log lines and tracebacks go (default: $OA_LOCAL_LOG or {DEFAULT_LOG})",
    )
    return parser.parse_args(argv)


def log_to_file(path: str) -> TextIO:
    """Send stdout, stderr and logging to the log file; return the console (the real stdout) for
    the lines a person reads. Done before the stack imports any handler, so Powertools' loggers,
    which write to the sys.stdout they find when made, write to the file."""
    console = sys.stdout
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    log = Path(path).open("a", encoding="utf-8", buffering=1)  # noqa: SIM115 - the process log, open until exit
    sys.stdout = sys.stderr = log
    logging.basicConfig(stream=log, level=logging.INFO, force=True)
    Console.stream = console
    return console


def padded(text: str, columns: int) -> str:
    """Text padded to a width on a terminal, where a Chinese character takes two columns."""
    import unicodedata

    width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, columns - width)


def print_users(console: TextIO, bound_url: str) -> None:
    """The demo users as people know them: name, department, roles in Chinese (and the id to sign in by)."""
    from oa_core.identity import directory

    departments = {d["department_id"]: d["name"] for d in directory.list_departments()}
    console.write('演示用户（在登录页选择；API 调用方 POST /_local/login {"user_id": …} 取得令牌）：\n')
    for user in directory.list_users():
        roles = "、".join(directory.ROLE_NAMES.get(role, role) for role in user.get("roles") or [])
        department = departments.get(user.get("department", ""), user.get("department", ""))
        console.write(
            f"  {padded(user.get('name', ''), 12)}{padded(department, 14)}{padded(roles, 22)}{user['user_id']}\n"
        )


def parameter_overrides(pairs: list[str], text: str = "") -> dict[str, str]:
    """The overrides of ``--param`` pairs and of ``--params`` text, as ``sam deploy --parameter-overrides``
    reads them: ``Name=Value`` (the value may hold ``=``, and quotes keep spaces in it) or
    ``ParameterKey=Name,ParameterValue=Value``; anything else is refused. A later one wins."""
    import shlex

    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise SystemExit(f"PARAMS {text!r}: {exc}") from exc
    overrides: dict[str, str] = {}
    for pair in [*words, *pairs]:
        keyed = re.fullmatch(r"ParameterKey=([^,=]+),ParameterValue=(.*)", pair, re.DOTALL)
        name, sep, value = (keyed.group(1), "=", keyed.group(2)) if keyed else pair.partition("=")
        if not sep or not name or not re.fullmatch(r"[A-Za-z0-9]+", name):
            raise SystemExit(f"--param {pair!r}: expected Name=Value")
        overrides[name] = value
    return overrides


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    console = log_to_file(args.log_file)
    url = f"http://127.0.0.1:{args.port}"
    try:
        stack = LocalStack(
            public_base_url=url,
            parameter_overrides=parameter_overrides(args.param, args.params),
            issuer_port=args.issuer_port,
            org_file=Path(args.org_file),
        ).start()
    except BaseException as exc:
        console.write(f"本地环境未能启动：{exc}（详情见 {args.log_file}）\n")
        logging.exception("local stack failed to start")
        raise

    def stop(signum: int, _frame: FrameType | None) -> None:
        console.write(f"\nstopping ({signal.Signals(signum).name})\n")
        console.flush()
        stack.shutdown()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    def ready(bound_url: str) -> None:
        elapsed = time.monotonic() - started
        console.write(f"OA local stack ready in {elapsed:.1f}s at {bound_url}\n")
        console.write(f"打开 {bound_url}/ ，在登录页选择一位演示用户。\n")
        print_users(console, bound_url)
        console.write(f"发出的邮件：{bound_url}/_local/outbox    健康检查：{bound_url}/health\n")
        if stack.issuer is not None:
            console.write(f"身份提供方（{stack.issuer.mode}，本地替身）：{stack.issuer.issuer}\n")
        console.write(f"每个请求一行（时间 方法 路径 状态 毫秒）；处理程序日志与错误详情：{args.log_file}\n")
        console.flush()

    try:
        stack.serve_forever(args.port, on_ready=ready)
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
