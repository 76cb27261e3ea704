"""Cold init of each function, measured as Lambda would pay it: a fresh interpreter importing app.py.

Each measurement is its own ``python -c`` process with the environment a function has in the
template (plus what the Lambda runtime sets), layers/oa_core and the function's directory on
``sys.path``, timing the import of ``functions/<dir>/app.py`` by path with ``time.perf_counter``
inside the child; the parent also times the whole process. The floor is the same process doing
``import boto3; boto3.client("stepfunctions")``: what any Python Lambda that talks to AWS pays.

The processes run one at a time, round-robin over the targets (so a burst of load on the machine
spreads over all of them), after one discarded warm-up round that leaves the ``.pyc`` files a
built layer would ship.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS_DIR = REPO_ROOT / "functions"
LAYER_DIR = REPO_ROOT / "layers" / "oa_core"
TEMPLATE_PATH = REPO_ROOT / "template.yaml"
# Every function of the repository, so a new one is measured without editing this list.
FUNCTION_DIRS = tuple(sorted(path.parent.name for path in FUNCTIONS_DIR.glob("*/app.py")))
FLOOR = "floor"
ENVIRONMENT_ONLY = {
    "awscrt": "AWS CRT, installed with the development tools",
    "OpenSSL": "pyOpenSSL, from aws-sam-cli",
}
TARGET_RATIO = 1.3
MARK_BEGIN = "@@bench-import-begin"
MARK_END = "@@bench-import-end"

_CHILD = """
import importlib.util, json, sys, time
sys.path[:0] = {paths!r}
sys.stderr.write({begin!r} + "\\n"); sys.stderr.flush()
started = time.perf_counter()
{body}
elapsed = time.perf_counter() - started
sys.stderr.write({end!r} + "\\n"); sys.stderr.flush()
print(json.dumps({{"import_ms": elapsed * 1000}}))
"""
_IMPORT_APP = """
spec = importlib.util.spec_from_file_location("app", {path!r})
module = importlib.util.module_from_spec(spec)
sys.modules["app"] = module
spec.loader.exec_module(module)
assert callable(getattr(module, "handler", None)), "app.py defines no handler"
"""
_IMPORT_FLOOR = """
import boto3
boto3.client("stepfunctions")
"""


@dataclass
class Samples:
    name: str
    import_ms: list[float] = field(default_factory=list)
    wall_ms: list[float] = field(default_factory=list)

    @property
    def median_import(self) -> float:
        return statistics.median(self.import_ms)

    @property
    def median_wall(self) -> float:
        return statistics.median(self.wall_ms)


@dataclass
class ImportLine:
    self_us: int
    cumulative_us: int
    depth: int
    module: str


@dataclass
class ColdResult:
    runs: int
    samples: dict[str, Samples]
    importtime: dict[str, list[ImportLine]]

    @property
    def floor(self) -> Samples:
        return self.samples[FLOOR]

    def ratio(self, name: str) -> float:
        return self.samples[name].median_import / self.floor.median_import

    @property
    def slowest(self) -> str:
        return max(FUNCTION_DIRS, key=lambda name: self.samples[name].median_import)


def template_environments() -> dict[str, dict[str, str]]:
    """Each function directory's environment from template.yaml (Globals merged, intrinsics resolved)."""
    from infra.local.template import Template

    template = Template.from_file(TEMPLATE_PATH)
    result: dict[str, dict[str, str]] = {}
    for logical_id in template.resources_of_type("AWS::Serverless::Function"):
        code_uri = str(template.properties(logical_id).get("CodeUri", "")).strip("/")
        result[Path(code_uri).name] = template.function_environment(logical_id)
    return result


def lambda_environment(name: str, template_env: Mapping[str, str]) -> dict[str, str]:
    """What a Lambda process sees: runtime variables, fake credentials, the template's variables.

    Nothing of the parent's Python settings (PYTHONPATH, PYTHONDONTWRITEBYTECODE, ...) leaks in.
    """
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 - a home for botocore, as on Lambda
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_LAMBDA_FUNCTION_NAME": f"oa-{name}",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "LAMBDA_TASK_ROOT": str(FUNCTIONS_DIR / name) if name != FLOOR else str(REPO_ROOT),
        "_HANDLER": "app.handler",
        "RECORDS_TABLE": "RecordsTable",
        "ARCHIVE_BUCKET": "oa-bench-archive",
        "POWERTOOLS_SERVICE_NAME": "oa",
    }
    env.update(template_env)
    return env


def child_code(name: str) -> str:
    if name == FLOOR:
        paths = [str(LAYER_DIR)]
        body = _IMPORT_FLOOR
    else:
        app = FUNCTIONS_DIR / name / "app.py"
        paths = [str(app.parent), str(LAYER_DIR)]
        body = _IMPORT_APP.format(path=str(app))
    return _CHILD.format(paths=paths, begin=MARK_BEGIN, end=MARK_END, body=body)


def run_child(name: str, env: Mapping[str, str], *flags: str) -> tuple[float, float, str]:
    """(import ms inside the child, process wall ms from here, stderr)."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, *flags, "-c", child_code(name)],
        env=dict(env),
        cwd=str(REPO_ROOT),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    wall_ms = (time.perf_counter() - started) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"cold import of {name} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    import_ms = float(json.loads(done.stdout.strip().splitlines()[-1])["import_ms"])
    return import_ms, wall_ms, done.stderr


def parse_importtime(stderr: str) -> list[ImportLine]:
    """The ``-X importtime`` lines logged between the child's begin and end marks."""
    lines: list[ImportLine] = []
    inside = False
    for raw in stderr.splitlines():
        if raw == MARK_BEGIN:
            inside = True
        elif raw == MARK_END:
            break
        elif inside and raw.startswith("import time:"):
            fields = raw.split("|")
            if len(fields) != 3 or not fields[0].split(":")[1].strip().isdigit():
                continue  # the header line
            name = fields[2].rstrip()
            depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
            lines.append(
                ImportLine(
                    self_us=int(fields[0].split(":")[1]),
                    cumulative_us=int(fields[1]),
                    depth=max(depth, 0),
                    module=name.strip(),
                )
            )
    return lines


def measure(runs: int, progress: bool = True) -> ColdResult:
    environments = template_environments()
    names = [*FUNCTION_DIRS, FLOOR]
    envs = {name: lambda_environment(name, environments.get(name, {})) for name in names}
    samples = {name: Samples(name) for name in names}
    for round_no in range(runs + 1):  # round 0 warms the .pyc files and is discarded
        for name in names:
            import_ms, wall_ms, _ = run_child(name, envs[name])
            if round_no > 0:
                samples[name].import_ms.append(import_ms)
                samples[name].wall_ms.append(wall_ms)
        if progress:
            print(f"  cold init: round {round_no}/{runs} done", file=sys.stderr, flush=True)
    importtime = {name: parse_importtime(run_child(name, envs[name], "-X", "importtime")[2]) for name in names}
    return ColdResult(runs=runs, samples=samples, importtime=importtime)


def _direct_imports(lines: list[ImportLine], top: int) -> list[ImportLine]:
    """The imports app.py itself triggers (shallowest level), by cumulative time."""
    if not lines:
        return []
    shallowest = min(line.depth for line in lines)
    direct = [line for line in lines if line.depth == shallowest]
    return sorted(direct, key=lambda line: line.cumulative_us, reverse=True)[:top]


def report(result: ColdResult) -> str:
    floor = result.floor
    out = [
        "## 1. Cold init (fresh process per measurement)",
        "",
        f"Median of {result.runs} runs each, after one discarded warm-up round. *import* is timed inside the child "
        "around the import of `functions/<dir>/app.py` (by path, importlib); *process* is the child's whole "
        "wall time seen from the parent (interpreter start-up included). Floor: "
        '`import boto3; boto3.client("stepfunctions")` in the same kind of process. '
        f"Target: import ≤ {TARGET_RATIO}× floor.",
        "",
        "| function | import median ms | min–max ms | process median ms | ratio to floor | ≤ 1.3× | ratio of minima |",
        "|---|---:|---:|---:|---:|:---:|---:|",
        f"| *floor* (boto3 + stepfunctions client) | {floor.median_import:.0f} | "
        f"{min(floor.import_ms):.0f}–{max(floor.import_ms):.0f} | {floor.median_wall:.0f} | 1.00 | | 1.00 |",
    ]
    failures = 0
    for name in FUNCTION_DIRS:
        s = result.samples[name]
        ratio = result.ratio(name)
        ok = ratio <= TARGET_RATIO
        failures += not ok
        out.append(
            f"| {name} | {s.median_import:.0f} | {min(s.import_ms):.0f}–{max(s.import_ms):.0f} | "
            f"{s.median_wall:.0f} | {ratio:.3f} | {'pass' if ok else '**FAIL**'} | "
            f"{min(s.import_ms) / min(floor.import_ms):.3f} |"
        )
    out += [
        "",
        f"**{len(FUNCTION_DIRS) - failures}/{len(FUNCTION_DIRS)} functions within {TARGET_RATIO}× the floor** "
        "(ratio of medians). The ratio of minima is the least noisy reading when the machine is busy "
        "(see the load average above).",
        "",
        "### What each function's import spends its time on",
        "",
        "Direct imports of app.py (its top-level `import` lines, as `-X importtime` nests them), "
        "largest cumulative first, from one run with `-X importtime` (which inflates times a little):",
        "",
        "| function | top direct imports (cumulative ms) |",
        "|---|---|",
    ]
    for name in (*FUNCTION_DIRS, FLOOR):
        direct = _direct_imports(result.importtime[name], 4)
        listed = ", ".join(f"`{line.module}` {line.cumulative_us / 1000:.0f}" for line in direct)
        out.append(f"| {name if name != FLOOR else '*floor*'} | {listed} |")
    slowest = result.slowest
    lines = result.importtime[slowest]
    top_cumulative = sorted(lines, key=lambda line: line.cumulative_us, reverse=True)[:10]
    top_self = sorted(lines, key=lambda line: line.self_us, reverse=True)[:10]
    out += [
        "",
        f"### Slowest function: `{slowest}` — top 10 modules by cumulative import time",
        "",
        "| module | depth | cumulative ms | self ms |",
        "|---|---:|---:|---:|",
    ]
    out += [
        f"| `{line.module}` | {line.depth} | {line.cumulative_us / 1000:.1f} | {line.self_us / 1000:.1f} |"
        for line in top_cumulative
    ]
    out += [
        "",
        f"Top 10 by self time (the module's own code, without what it imports) for `{slowest}`:",
        "",
        "| module | self ms | cumulative ms |",
        "|---|---:|---:|",
    ]
    out += [f"| `{line.module}` | {line.self_us / 1000:.1f} | {line.cumulative_us / 1000:.1f} |" for line in top_self]
    total_modules = len(lines)
    floor_modules = len(result.importtime[FLOOR])
    out += ["", f"`{slowest}` imports {total_modules} modules; the floor imports {floor_modules}."]
    extras = sorted(
        {line.module.split(".")[0].lstrip("_") for line in result.importtime[FLOOR]} & set(ENVIRONMENT_ONLY),
    )
    if extras:
        out.append(
            "Note: "
            + ", ".join(f"`{name}` ({ENVIRONMENT_ONLY[name]})" for name in extras)
            + " are in this virtualenv, and botocore imports them when "
            "present; the Lambda runtime does not have them, so floor and functions alike are slower here "
            "than there by about the same amount."
        )
    out.append("")
    return "\n".join(out)
