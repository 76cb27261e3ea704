"""Backfill 已办 and 办结 on a deployed stack whose records predate those lists.

Ops script: ``python -m infra.ops.backfill_worklist --stack oa-system`` (or ``make backfill-worklist``).
The table name comes from ``--table`` or from the stack's ``RecordsTableName`` output; the work is the
core's ``oa_core.worklist.backfill``: conditional writes only, so running it twice, or while people
work, writes each entry once.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from infra.ops.seed_org import table_from_stack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.ops.backfill_worklist", description=__doc__)
    parser.add_argument("--stack", default="oa-system", help="CloudFormation stack name")
    parser.add_argument("--table", help="records table name (skips the stack lookup)")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION"))
    args = parser.parse_args(argv)

    os.environ["RECORDS_TABLE"] = args.table or table_from_stack(args.stack, args.region)
    if args.region:
        os.environ.setdefault("AWS_REGION", args.region)
        os.environ.setdefault("AWS_DEFAULT_REGION", args.region)
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "layers" / "oa_core"))

    from oa_core.worklist.backfill import backfill

    counts = backfill()
    print(f"已办 {counts.decided} 条、办结 {counts.finished} 条已补入；{counts.already} 条此前已有")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
