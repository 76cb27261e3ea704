"""``python -m infra.bench`` (``make bench``): cold starts, per-document costs and local stack timings.

Prints a Markdown report and writes it to ``bench-results.md`` at the repository root, and the
counts of section 5 as JSON to ``bench-results.json`` beside it (what ``make cost`` prices):

1. cold init of every function in a fresh process against the floor of ``boto3`` plus one
   client (``infra/bench/cold.py``), with the modules that dominate each import;
2. state transitions and DynamoDB requests of one happy-path document with k = 0, 1, 3
   countersigners on the in-process local stack (``infra/bench/flow.py``);
3. local stack timings: start in-process, one document (k = 2) in-process, and the same over
   HTTP against ``python -m infra.local`` in a subprocess (``infra/bench/http.py``);
4. bookings: seconds to decide a 50-way race for one room, DynamoDB requests per booking and per
   occupancy query (``infra/bench/bookings.py``);
5. what one unit of work asks of AWS: a document (k = 0, 1, 3), a room booking, a meeting with its
   approval, a reminder run: transitions, invocations per function, API requests, DynamoDB, S3,
   KMS, Secrets Manager, SSM, SES, SQS and SNS requests, log bytes (``infra/bench/meter.py``);
6. 全文检索: archives of 1,000 and 100,000 indexed documents built in bulk, and the DynamoDB requests
   and time of each query at both sizes, for a person who may read the hits and one who may not
   (``infra/bench/search.py``).
7. 印制: a 通知 rendered as PDF and OFD, cold (a fresh process) and warm, against LibreOffice headless
   converting the same document as .docx to PDF (``infra/bench/render.py``).

Parts 1–5 take about a minute and a half on two cores with the default ``--runs 7``; part 6 adds
the build of 100,000 documents (docs/benchmarks.md says how long).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from infra.bench import bookings as bench_bookings
from infra.bench import cold as bench_cold
from infra.bench import flow as bench_flow
from infra.bench import http as bench_http
from infra.bench import render as bench_render
from infra.bench import search as bench_search
from infra.bench import units as bench_units

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPO_ROOT / "bench-results.md"
TEMPLATE = REPO_ROOT / "template.yaml"
PARTS = ("cold", "flow", "http", "bookings", "search", "render")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="cold-start runs per function (default 7)")
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the report (the JSON counts beside it)"
    )
    parser.add_argument("--only", choices=PARTS, action="append", help="run only this part (repeatable; default: all)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--search-sizes",
        default=",".join(str(n) for n in bench_search.SIZES),
        help="archive sizes of the search part, growing, comma-separated (default 1000,100000)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    try:
        args.search_sizes = tuple(int(n) for n in args.search_sizes.split(","))
    except ValueError:
        parser.error("--search-sizes takes whole numbers separated by commas")
    if len(args.search_sizes) < 2 or list(args.search_sizes) != sorted(set(args.search_sizes)):
        parser.error("--search-sizes takes at least two growing sizes")
    if args.search_sizes[0] < bench_search.PLANTED:
        parser.error(
            f"--search-sizes: the smallest archive holds at least the {bench_search.PLANTED} planted documents"
        )
    return args


def _commit() -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH, read-only
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except OSError:
        return "?"
    return done.stdout.strip() or "?"


def _load() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "?"


def header(runs: int) -> str:
    return "\n".join(
        [
            "# OA benchmark",
            "",
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · commit `{_commit()}` · Python {platform.python_version()} · "
            f"{os.cpu_count()} CPUs · {platform.machine()} · load average {_load()} · cold-start runs: {runs}",
            "",
        ]
    )


def local_report(flow: bench_flow.FlowResult | None, http: bench_http.HttpResult | None) -> str:
    out = [
        "## 3. Local stack",
        "",
        "| what | seconds |",
        "|---|---:|",
    ]
    if flow is not None:
        out += [
            f"| in-process: import `infra.local.stack` (moto, werkzeug) | {flow.import_seconds:.2f} |",
            f"| in-process: `LocalStack().start()` (moto, provision from template.yaml, seed demo org) "
            f"| {flow.start_seconds:.2f} |",
            f"| in-process: one document, k={flow.timed.k}, submit → archived, scripted approvals "
            f"(handlers already warm) | {flow.timed.seconds:.2f} |",
            f"| in-process: first document of the process (k=0, handlers imported on first use) "
            f"| {flow.costs[0].seconds:.2f} |",
            f"| in-process: `LocalStack.stop()` | {flow.stop_seconds:.2f} |",
        ]
    if http is not None:
        exit_ok = "exit 0" if http.exit_code == 0 else f"**exit {http.exit_code}**"
        out += [
            f"| HTTP: `python -m infra.local --port {http.port}` until `GET /health` answers 200 "
            f"| {http.health_seconds:.2f} |",
            f"| HTTP: one document, k={bench_http.TIMED_K}, `POST /api/documents` → every task decided with "
            f"`POST /api/tasks/{{id}}/decision` → `GET /api/documents/{{id}}` archived | {http.document_seconds:.2f} |",
            f"| HTTP: SIGINT until the process exited ({exit_ok}) | {http.stop_seconds:.2f} |",
        ]
        out += [
            "",
            f"HTTP document numbered `{http.number}`; the server said: “{http.ready_line}”. SIGINT stop: "
            + ("clean (exit code 0)." if http.exit_code == 0 else f"NOT clean (exit code {http.exit_code})."),
        ]
    out.append("")
    return "\n".join(out)


def counts_document(
    units: dict[str, dict[str, object]], cold: bench_cold.ColdResult | None, began_at: datetime
) -> dict[str, object]:
    """What ``make cost`` reads: the units of work measured, the functions they ran, the cold inits."""
    from infra.local.template import load_yaml

    return {
        "schema": bench_units.SCHEMA,
        "measured_at": f"{began_at:%Y-%m-%dT%H:%M}Z",
        "commit": _commit(),
        "python": platform.python_version(),
        "machine": f"{os.cpu_count()} CPUs {platform.machine()}, load average {_load()}",
        "functions": bench_units.template_functions(load_yaml(TEMPLATE)),
        "cold_init_ms": (
            {name: round(cold.samples[name].median_import, 1) for name in bench_cold.FUNCTION_DIRS} if cold else {}
        ),
        "units": units,
    }


def measure_search(sizes: tuple[int, ...]) -> bench_search.SearchBench:
    from infra.bench.meter import Meter
    from infra.local.stack import LocalStack

    meter = Meter()
    with meter.installed():
        stack = LocalStack().start()
        try:
            return bench_search.measure(stack, meter, sizes)
        finally:
            stack.stop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    parts = set(args.only or PARTS)
    began = time.perf_counter()
    began_at = datetime.now(UTC)
    sections = [header(args.runs)]
    units: dict[str, dict[str, object]] = {}
    cold = None
    missed: list[str] = []
    if "cold" in parts:
        print("bench: cold init ...", file=sys.stderr, flush=True)
        cold = bench_cold.measure(args.runs)
        sections.append(bench_cold.report(cold))
        missed += [
            f"cold init of {name} {cold.ratio(name):.3f}x the floor"
            for name in bench_cold.FUNCTION_DIRS
            if cold.ratio(name) > bench_cold.TARGET_RATIO
        ]
    flow = http = None
    if "flow" in parts:
        print("bench: documents on the in-process local stack ...", file=sys.stderr, flush=True)
        flow = bench_flow.measure()
        sections.append(bench_flow.report(flow))
        units.update(flow.units())
        missed += [f"k={c.k}: {c.transitions} transitions" for c in flow.costs if c.transitions > c.target]
        missed += [f"k={c.k}: Scan" for c in flow.costs if c.scans]
    if "http" in parts:
        print("bench: python -m infra.local over HTTP ...", file=sys.stderr, flush=True)
        http = bench_http.measure()
        if http.exit_code != 0:
            missed.append(f"python -m infra.local exited {http.exit_code} on SIGINT")
    if flow is not None or http is not None:
        sections.append(local_report(flow, http))
    if "bookings" in parts:
        print("bench: bookings race and request counts ...", file=sys.stderr, flush=True)
        booked = bench_bookings.measure()
        sections.append(bench_bookings.report(booked))
        units.update(booked.units())
        if booked.race_created != 1:
            missed.append(f"the {bench_bookings.RACERS}-way race made {booked.race_created} bookings")
        missed += [f"bookings: {scan}" for scan in booked.scans]
    if "render" in parts:
        print("bench: 印制 (PDF + OFD) against LibreOffice ...", file=sys.stderr, flush=True)
        rendered = bench_render.measure()
        sections.append(bench_render.report(rendered))
        missed += rendered.missed()
    if units:
        sections.append(bench_units.markdown(units))
    if "search" in parts:
        print(f"bench: 全文检索 at {args.search_sizes} documents ...", file=sys.stderr, flush=True)
        searched = measure_search(args.search_sizes)
        sections.append(bench_search.report(searched))
        missed += searched.missed()
    sections.append("**Targets missed:** " + "; ".join(missed) + "\n" if missed else "**Every target met.**\n")
    sections.append(f"_Bench took {time.perf_counter() - began:.0f} s._\n")
    text = "\n".join(sections)
    print(text)
    args.output.write_text(text, encoding="utf-8")
    print(f"bench: report written to {args.output}", file=sys.stderr)
    if units:
        counts = args.output.with_suffix(".json")
        document = counts_document(units, cold, began_at)
        counts.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"bench: counts written to {counts} (make cost prices them)", file=sys.stderr)
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
