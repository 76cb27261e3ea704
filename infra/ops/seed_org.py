"""Seed a deployed stack with an organisation (departments, users; rooms, vehicles, drivers).

Ops script: ``python -m infra.ops.seed_org --stack oa-system --file org.json`` (or
``make seed-org``). The table name comes from ``--table`` or from the stack's
``RecordsTableName`` output; the writing itself is the core's
``oa_core.directory.seed_organisation``, the same code the local stack seeds with, so
seeding twice changes nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import boto3


def table_from_stack(stack_name: str, region: str | None, output_key: str = "RecordsTableName") -> str:
    cloudformation = boto3.client("cloudformation", region_name=region)
    stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    for output in stacks[0].get("Outputs", []):
        if output.get("OutputKey") == output_key:
            return str(output["OutputValue"])
    raise SystemExit(f"stack {stack_name} has no {output_key} output")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.ops.seed_org", description=__doc__)
    parser.add_argument("--file", type=Path, default=Path("infra/demo_org.json"))
    parser.add_argument("--stack", default="oa-system", help="CloudFormation stack name")
    parser.add_argument("--table", help="records table name (skips the stack lookup)")
    parser.add_argument("--bookings-table", help="bookings table name (skips the stack lookup)")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION"))
    args = parser.parse_args(argv)

    table = args.table or table_from_stack(args.stack, args.region)
    os.environ["RECORDS_TABLE"] = table
    org = json.loads(args.file.read_text(encoding="utf-8"))
    if org.get("resources"):
        os.environ["BOOKINGS_TABLE"] = args.bookings_table or table_from_stack(
            args.stack, args.region, "BookingsTableName"
        )
    if args.region:
        os.environ.setdefault("AWS_REGION", args.region)
        os.environ.setdefault("AWS_DEFAULT_REGION", args.region)
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "layers" / "oa_core"))

    from oa_core.bookings.reservations import seed_resources
    from oa_core.identity.directory import seed_organisation

    seed_organisation(org)
    seed_resources(org.get("resources", []))
    print(f"seeded {len(org.get('users', []))} users and {len(org.get('resources', []))} resources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
