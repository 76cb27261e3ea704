"""The state machines as Step Functions will receive them, judged by asl-validator (not by moto).

For every ``AWS::Serverless::StateMachine`` (or ``AWS::StepFunctions::StateMachine``) of
template.yaml, in each partition we deploy to (``aws``/us-east-1 and ``aws-cn``/cn-north-1), the
definition file must be JSON as it stands (moto and the validator read it so), every ``${Name}`` in
it must have a ``DefinitionSubstitutions`` entry and every entry must be used, the filled-in text
(``!GetAtt``/``!Ref``/``!Sub`` resolved to that partition's ARNs and URLs, as CloudFormation would)
must name no other partition, and ``node_modules/.bin/asl-validator`` (pinned in package.json,
installed by ``make asl-check``) must accept it: duplicate state names, missing targets, bad paths
and malformed ARNs are its findings. ``python -m infra.checks.asl`` prints what is wrong and exits 1.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from infra.local.template import StateMachineDefinition, Template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
VALIDATOR = ROOT / "node_modules" / ".bin" / "asl-validator"
DEPLOYED_TO = (("aws", "us-east-1"), ("aws-cn", "cn-north-1"))
"""(partition, region): the global and the China regions, as `make template-check` lints them."""
STACK_NAME = "oa-system"
STATE_MACHINE_TYPES = ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine")
PARTITIONS = ("aws", "aws-cn", "aws-us-gov")


def definitions(template_path: Path, partition: str, region: str) -> list[StateMachineDefinition]:
    """Each state machine's definition with its substitutions filled for that partition and region."""
    template = Template.from_file(template_path, region=region, partition=partition, stack_name=STACK_NAME)
    return [
        template.state_machine_definition(logical_id) for logical_id in template.resources_of_type(*STATE_MACHINE_TYPES)
    ]


def substitution_problems(definition: StateMachineDefinition, partition: str, base_dir: Path) -> list[str]:
    """What is wrong before a validator looks: raw JSON, placeholders, unused substitutions, partition."""
    found = []
    source = base_dir / definition.source
    if source.is_file():
        try:
            json.loads(source.read_text(encoding="utf-8"))
        except ValueError as exc:
            found.append(f"{definition.source} is not JSON before substitution: {exc}")
    for name in definition.unresolved:
        found.append(f"${{{name}}} has no entry in DefinitionSubstitutions")
    for name in definition.unused:
        found.append(f"DefinitionSubstitutions entry {name} is not used by {definition.source}")
    for other in PARTITIONS:
        if other != partition and f"arn:{other}:" in definition.text:
            found.append(f"names the {other} partition (arn:{other}:) in {partition}")
    try:
        json.loads(definition.text)
    except ValueError as exc:
        found.append(f"is not JSON after substitution: {exc}")
    return found


def validator_problems(texts: dict[str, str], validator: Path = VALIDATOR) -> list[str]:
    """Run asl-validator once over every named definition; its findings, or [] when it accepts all.

    Exit codes (its bin/asl-validator.js): 0 valid, 1 a definition is invalid, 2 the program failed.
    """
    if not validator.exists():
        return [f"{validator} is missing: run `make asl-check` (npm ci) first"]
    with tempfile.TemporaryDirectory(prefix="asl-") as tmp:
        args: list[str] = [str(validator)]
        for name, text in texts.items():
            path = Path(tmp) / f"{name}.asl.json"
            path.write_text(text, encoding="utf-8")
            args += ["--json-path", str(path)]
        result = subprocess.run(args, capture_output=True, text=True, check=False, timeout=120)  # noqa: S603
        output = (result.stdout + result.stderr).replace(tmp + "/", "")
    if result.returncode == 0:
        return []
    invalid = [line for line in output.splitlines() if not line.startswith("✓")]
    return [f"asl-validator (exit {result.returncode}): " + "\n".join(invalid).strip()]


def problems(
    template_path: Path = TEMPLATE,
    *,
    validator: Path = VALIDATOR,
    deployed_to: Sequence[tuple[str, str]] = DEPLOYED_TO,
) -> list[str]:
    """Everything wrong with the template's state machines, in every partition; [] when all is well."""
    found: list[str] = []
    texts: dict[str, str] = {}
    for partition, region in deployed_to:
        for definition in definitions(template_path, partition, region):
            label = f"{definition.logical_id}-{partition}-{region}"
            found += [
                f"{label}: {problem}" for problem in substitution_problems(definition, partition, template_path.parent)
            ]
            texts[label] = definition.text
    if not texts:
        found.append(f"{template_path} declares no state machine")
    return found + validator_problems(texts, validator)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    template_path = Path(args[0]) if args else TEMPLATE
    found = problems(template_path)
    if found:
        print("\n".join(found), file=sys.stderr)
        return 1
    count = len(definitions(template_path, *DEPLOYED_TO[0]))
    places = ", ".join(f"{partition}/{region}" for partition, region in DEPLOYED_TO)
    print(f"asl-validator: {count} state machines valid in {places}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
