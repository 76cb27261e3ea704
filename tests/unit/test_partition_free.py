"""No file of the repository names an AWS partition in an ARN: the same stack deploys to the global
and the China regions, so ARNs say ``arn:${AWS::Partition}:`` (template), ``arn:${Partition}:`` (ASL,
filled from DefinitionSubstitutions) or are built from a partition value (code and tests)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PARTITIONS = ("aws", "aws-cn", "aws-us-gov")
# Built here so that this file does not name them itself.
LITERALS = tuple(("arn:" + partition + ":").encode() for partition in PARTITIONS)
ALLOWED: dict[str, str] = {}
"""Files allowed to name a partition literally, each with its reason (none today)."""


def repository_files() -> list[str]:
    """Tracked files and new ones not ignored yet (so a file is caught before its first commit)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    return sorted({name for name in listed.decode().split("\0") if name and (ROOT / name).is_file()})


def literal_partitions(path: Path, root: Path = ROOT) -> list[str]:
    lines = path.read_bytes().splitlines()
    return [
        f"{path.relative_to(root)}:{number}: {line.decode(errors='replace').strip()[:120]}"
        for number, line in enumerate(lines, start=1)
        if any(literal in line for literal in LITERALS)
    ]


def test_no_file_names_a_partition_in_an_arn() -> None:
    files = repository_files()
    assert "template.yaml" in files and "statemachines/document.asl.json" in files
    found = [hit for name in files if name not in ALLOWED for hit in literal_partitions(ROOT / name)]
    assert found == [], "ARNs must take the partition from AWS::Partition:\n" + "\n".join(found)


def test_the_check_finds_a_literal_partition(tmp_path: Path) -> None:
    china = "arn:" + "aws-cn:states:::lambda:invoke"
    sample = tmp_path / "sample.yaml"
    text = f"Resource: arn:${{AWS::Partition}}:states:::lambda:invoke\nResource: {china}\n"
    sample.write_text(text, encoding="utf-8")
    assert literal_partitions(sample, tmp_path) == [f"sample.yaml:2: Resource: {china}"]
