"""template.yaml through the SAM transform, offline, for one region: the CloudFormation a deploy would get.

``sam deploy`` sends template.yaml to CloudFormation, whose AWS::Serverless-2016-10-31 transform
turns every ``AWS::Serverless::*`` resource into plain CloudFormation (functions, roles, the API's
deployment and stage, state machines). cfn-lint judges the SAM form against SAM's schema; this module
produces the transformed form so that cfn-lint (and checkov, and the policy tests) judge what
CloudFormation itself will create too.

samtranslator (bundled with cfn-lint's and sam-cli's dependencies) needs two things from AWS that we
supply offline: the partition (from the region: ``aws-cn`` for ``cn-*``) and the ARNs of AWS managed
policies by name (its own bundled list per partition, ``BundledManagedPolicies``). Local paths
(``CodeUri``, ``ContentUri``, ``DefinitionUri``) become S3 locations, as ``sam package`` would make them.

Usage: ``python -m infra.checks.transform --region cn-north-1 --output out.json [template.yaml]``.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from samtranslator.internal.managed_policies import get_bundled_managed_policy_map
from samtranslator.translator.arn_generator import ArnGenerator
from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform as sam_transform

from infra.local.template_yaml import load_yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
REGIONS = ("us-east-1", "cn-north-1", "cn-northwest-1")
"""The regions we deploy to: one global, both China regions."""
ACCOUNT_ID = "123456789012"

_LOCAL_PATHS = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
    "AWS::Serverless::StateMachine": "DefinitionUri",
}


def partition_of(region: str) -> str:
    """The partition of a region, as samtranslator (and AWS) name it."""
    return str(ArnGenerator.get_partition_name(region))


class BundledManagedPolicies(ManagedPolicyLoader):
    """AWS managed policy ARNs from samtranslator's own list for the partition: no IAM call, no credentials."""

    def __init__(self, partition: str) -> None:
        self._partition = partition

    def load(self) -> dict[str, str]:
        return dict(get_bundled_managed_policy_map(self._partition) or {})


def _packaged(document: Mapping[str, Any]) -> dict[str, Any]:
    """The template as ``sam package`` leaves it: local code and definition paths are S3 locations."""
    packaged = copy.deepcopy(dict(document))
    for logical_id, resource in (packaged.get("Resources") or {}).items():
        key = _LOCAL_PATHS.get(resource.get("Type", ""))
        properties = resource.get("Properties") or {}
        if key and isinstance(properties.get(key), str):
            path = properties[key].strip("/")
            properties[key] = f"s3://oa-deploy-artifacts/{path or logical_id}"
    return packaged


@contextmanager
def _region(region: str) -> Iterator[None]:
    """samtranslator reads the region from boto3's default session and a class attribute."""
    previous_env, previous_name = os.environ.get("AWS_DEFAULT_REGION"), ArnGenerator.BOTO_SESSION_REGION_NAME
    os.environ["AWS_DEFAULT_REGION"] = region
    ArnGenerator.BOTO_SESSION_REGION_NAME = region
    try:
        yield
    finally:
        ArnGenerator.BOTO_SESSION_REGION_NAME = previous_name
        if previous_env is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
        else:
            os.environ["AWS_DEFAULT_REGION"] = previous_env


def transform(
    document: Mapping[str, Any],
    region: str,
    parameter_values: Mapping[str, Any] | None = None,
    *,
    keep_metadata: bool = False,
) -> dict[str, Any]:
    """The CloudFormation template CloudFormation's SAM transform makes of ``document`` in ``region``.

    ``keep_metadata`` copies a SAM resource's Metadata onto what it becomes (samtranslator's
    passthrough), so that checkov sees the per-resource skips written on a function.
    """
    partition = partition_of(region)
    values: dict[str, Any] = {
        "AWS::Region": region,
        "AWS::Partition": partition,
        "AWS::AccountId": ACCOUNT_ID,
        **(parameter_values or {}),
    }
    with _region(region):
        transformed: dict[str, Any] = sam_transform(
            _packaged(document), values, BundledManagedPolicies(partition), passthrough_metadata=keep_metadata
        )
        return transformed


def transform_file(path: Path, region: str, *, keep_metadata: bool = False) -> dict[str, Any]:
    return transform(load_yaml(path), region, keep_metadata=keep_metadata)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("template", nargs="?", type=Path, default=TEMPLATE)
    parser.add_argument("--region", required=True, help="e.g. us-east-1, cn-north-1")
    parser.add_argument("--output", type=Path, required=True, help="where the transformed JSON goes")
    parser.add_argument("--keep-metadata", action="store_true", help="copy SAM resources' Metadata (for checkov)")
    args = parser.parse_args(argv)
    transformed = transform_file(args.template, args.region, keep_metadata=args.keep_metadata)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(transformed, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{args.template.name} → {args.output} ({args.region}, {len(transformed.get('Resources', {}))} resources)")


if __name__ == "__main__":
    main()
