"""``python -m infra.bench.cost`` (``make cost``): a monthly cost estimate from what ``make bench`` counted.

Reads the counts of ``bench-results.json`` (one unit of work each: a document with k = 0, 1, 3
countersigners, a room booking, a meeting with its approval, a reminder run), multiplies them by a
unit's monthly volume (``Profile``: 500 staff, 50 documents, 30 bookings and 20 approvals a working
day, 22 working days) and adds what the stack costs standing still (the seal key, the secrets, the
alarms and the dashboard, read from template.yaml). Each line is priced with the published
on-demand figures of ``infra.bench.prices`` (us-east-1 in USD, cn-north-1 in CNY), minus the free
tiers that always apply. Prints one Markdown table per region, its total, the assumptions and the
sources of every price.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from infra.bench.prices import CNY_PER_USD, REGIONS, Price, Region

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_COUNTS = REPO_ROOT / "bench-results.json"
TEMPLATE = REPO_ROOT / "template.yaml"
GB = 1024**3


class CostError(Exception):
    """The counts or the profile cannot be priced; the message says what to do."""


# ---------------------------------------------------------------------------- the counts (make bench)
class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Invoked(_Strict):
    count: int
    seconds: float
    memory_mb: int


class DynamoCounts(_Strict):
    read_requests: int
    write_requests: int
    read_units: float
    write_units: float
    stored_bytes: int


class S3Counts(_Strict):
    class_a_requests: int
    class_b_requests: int
    bytes_put: int


class SesCounts(_Strict):
    send_requests: int
    recipients: int
    bytes: int


class UnitCounts(_Strict):
    """What one unit of work asked of AWS (``infra.bench.units.summarize``)."""

    transitions: dict[str, int]
    history_events: dict[str, int]
    executions: dict[str, int]
    invocations: dict[str, Invoked]
    api_requests: dict[str, int]
    dynamodb: DynamoCounts
    s3: S3Counts
    ses: SesCounts
    requests: dict[str, dict[str, int]]
    log_bytes: int
    metric_emissions: int
    metric_series: list[str] = []


class FunctionInfo(_Strict):
    code_dir: str
    memory_mb: int


class Counts(_Strict):
    schema_version: int = Field(alias="schema")
    measured_at: str
    commit: str
    functions: dict[str, FunctionInfo] = {}
    cold_init_ms: dict[str, float] = {}
    units: dict[str, UnitCounts]


def load_counts(path: Path) -> Counts:
    if not path.exists():
        raise CostError(f"没有计数文件 (no counts at {path}): run `make bench` first, or pass --counts")
    try:
        return Counts.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as error:
        missing = "; ".join(".".join(str(p) for p in e["loc"]) + f": {e['msg']}" for e in error.errors())
        raise CostError(f"计数不完整 (incomplete counts in {path}): {missing}; run `make bench` again") from None


# ---------------------------------------------------------------------------- the unit (profile)
class Profile(_Strict):
    """One unit's month. Every figure not measured by ``make bench`` is here, with why."""

    staff: int = 500
    working_days: int = 22
    documents_per_day: float = 50
    bookings_per_day: float = 30
    approvals_per_day: float = 20
    """Meeting applications for rooms that need approval."""
    countersigners_mix: dict[int, float] = {0: 0.4, 1: 0.4, 3: 0.2}
    """Share of documents by number of countersigners (k); each k needs a ``document_k<k>`` count."""
    reminder_runs_per_month: int = 24 * 30
    """ReminderSchedule rate(1 hour), every day of the month."""
    archive_months: int = 12
    """S3 and DynamoDB storage is priced for the archive this many months after go-live."""
    log_retention_months: float = 6
    """LogRetentionDays 180: stored logs are about six months of ingestion."""
    platform_log_bytes_per_invocation: int = 350
    """Lambda's own START, END and REPORT lines (not written by our code, so not measured)."""
    emf_bytes_per_metric: int = 450
    """One Powertools EMF line per business metric (metrics are switched off locally)."""
    flow_log_bytes_per_event: int = 350
    """Step Functions logging Level ALL without execution data: one record per history event."""
    access_log_bytes_per_request: int = 350
    """One API Gateway access-log line per request."""
    cold_start_share: float = 1.0
    """Invocations that start a new execution environment (INIT billed): at 50 documents a day most
    are minutes apart, so all of them, an upper bound."""
    default_init_seconds: float = 1.0
    """INIT time of a function whose cold start ``make bench --only cold`` did not measure."""
    custom_metric_series: int = 30
    """Distinct metric series a month (name × dimensions): 文种 in use, decisions by step, decision
    and channel, reminders by step, meetings; the bench sees the series of one 通知 only."""
    monthly_active_users: int = 500
    extra_secrets: dict[str, int] = {"us-east-1": 0, "cn-north-1": 2}
    """Secrets ops creates beside the template's: in China `<stack>/smtp` and the OIDC client secret."""

    @property
    def documents(self) -> float:
        return self.documents_per_day * self.working_days


@dataclass(frozen=True)
class Line:
    price: Price
    quantity: float
    basis: str
    """How the quantity was reached, in a few words."""

    def billable(self) -> float:
        return max(0.0, self.quantity - self.price.free)

    def cost(self) -> float | None:
        if self.price.amount is None:
            return None
        return self.billable() / self.price.per * self.price.amount


# ---------------------------------------------------------------------------- monthly quantities
def monthly_units(counts: Counts, profile: Profile) -> list[tuple[str, float]]:
    """(unit name, how many a month) for every unit the profile prices; fails on a missing count."""
    total_share = sum(profile.countersigners_mix.values())
    if not math.isclose(total_share, 1.0, abs_tol=1e-6):
        raise CostError(f"会签人数分布之和须为 1 (countersigners_mix sums to {total_share}, not 1)")
    wanted = [(f"document_k{k}", profile.documents * share) for k, share in sorted(profile.countersigners_mix.items())]
    wanted += [
        ("booking", profile.bookings_per_day * profile.working_days),
        ("meeting_approval", profile.approvals_per_day * profile.working_days),
        ("reminder_run", float(profile.reminder_runs_per_month)),
    ]
    missing = [name for name, _ in wanted if name not in counts.units]
    if missing:
        raise CostError(
            f"缺少计数 (missing counts: {', '.join(missing)}): run `make bench` (all parts, or at least "
            "`--only flow --only bookings`)"
        )
    return wanted


def _sum(counts: Counts, volume: list[tuple[str, float]], pick: Any) -> float:
    return sum(float(pick(counts.units[name])) * n for name, n in volume)


def _op(unit: UnitCounts, service: str, *operations: str) -> int:
    found = unit.requests.get(service, {})
    return sum(n for op, n in found.items() if not operations or op in operations)


def init_seconds(counts: Counts, function: str, profile: Profile) -> float:
    info = counts.functions.get(function)
    measured = counts.cold_init_ms.get(info.code_dir) if info else None
    return measured / 1000 if measured else profile.default_init_seconds


def template_fixed(template: dict[str, Any]) -> dict[str, int]:
    """What the stack keeps standing: keys, secrets, alarms, dashboards (and what alarms should be)."""
    types = [r.get("Type", "") for r in (template.get("Resources") or {}).values()]
    functions = types.count("AWS::Serverless::Function") + types.count("AWS::Lambda::Function")
    machines = types.count("AWS::Serverless::StateMachine") + types.count("AWS::StepFunctions::StateMachine")
    return {
        "kms_keys": types.count("AWS::KMS::Key"),
        "secrets": types.count("AWS::SecretsManager::Secret"),
        "alarms": types.count("AWS::CloudWatch::Alarm"),
        "dashboards": types.count("AWS::CloudWatch::Dashboard"),
        # Issue 10's list: failed, timed-out and aborted executions per state machine, the dead-letter
        # queue, API 5xx, and errors and throttles of every function.
        "alarms_planned": 3 * machines + 1 + 1 + 2 * functions,
    }


def lines(counts: Counts, profile: Profile, region: Region, fixed: dict[str, int]) -> list[Line]:
    volume = monthly_units(counts, profile)
    p = region.prices
    invocations = _sum(counts, volume, lambda u: sum(f.count for f in u.invocations.values()))
    handler_gbs = _sum(counts, volume, lambda u: sum(f.seconds * f.memory_mb / 1024 for f in u.invocations.values()))
    init_gbs = _sum(
        counts,
        volume,
        lambda u: sum(
            f.count * profile.cold_start_share * init_seconds(counts, name, profile) * f.memory_mb / 1024
            for name, f in u.invocations.items()
        ),
    )
    api = _sum(counts, volume, lambda u: sum(u.api_requests.values()))
    transitions = _sum(counts, volume, lambda u: sum(u.transitions.values()))
    executions = _sum(counts, volume, lambda u: sum(u.executions.values()))
    events = _sum(counts, volume, lambda u: sum(u.history_events.values()))
    emails = _sum(counts, volume, lambda u: u.ses.recipients)
    stored_s3 = _sum(counts, volume, lambda u: u.s3.bytes_put) * profile.archive_months
    stored_ddb = _sum(counts, volume, lambda u: u.dynamodb.stored_bytes) * profile.archive_months
    log_bytes = (
        _sum(counts, volume, lambda u: u.log_bytes)
        + invocations * profile.platform_log_bytes_per_invocation
        + _sum(counts, volume, lambda u: u.metric_emissions) * profile.emf_bytes_per_metric
        + events * profile.flow_log_bytes_per_event
        + api * profile.access_log_bytes_per_request
    )
    secret_calls = _sum(counts, volume, lambda u: _op(u, "secretsmanager"))
    if region.code.startswith("cn-"):
        # SMTP in China: a password lookup per email at most (cached five minutes per environment).
        secret_calls += _sum(counts, volume, lambda u: u.ses.send_requests)
    alarms = fixed["alarms"] or fixed["alarms_planned"]
    alarms_basis = "template.yaml" if fixed["alarms"] else "issue 10's alarm list (none in template.yaml yet)"
    china = region.code.startswith("cn-")
    kept = log_bytes / GB * profile.log_retention_months
    traces = api + executions + profile.reminder_runs_per_month
    return [
        Line(p["lambda_requests"], invocations, "invocations of every unit"),
        Line(p["lambda_gb_seconds"], handler_gbs + init_gbs,
             f"handler {handler_gbs:,.0f} + cold INIT {init_gbs:,.0f} GB-s"),
        Line(p["apigw_requests"], api, "people's requests"),
        Line(p["sfn_transitions"], transitions, f"{executions:,.0f} executions"),
        Line(p["ddb_write_units"], _sum(counts, volume, lambda u: u.dynamodb.write_units), "measured item sizes"),
        Line(p["ddb_read_units"], _sum(counts, volume, lambda u: u.dynamodb.read_units), "measured item sizes"),
        Line(p["ddb_storage"], stored_ddb / GB, f"items written in {profile.archive_months} months"),
        Line(p["ddb_pitr"], stored_ddb / GB, "the tables' size"),
        Line(p["s3_storage"], stored_s3 / GB, f"issued PDFs and archive packages of {profile.archive_months} months"),
        Line(p["s3_class_a"], _sum(counts, volume, lambda u: u.s3.class_a_requests), "measured"),
        Line(p["s3_class_b"], _sum(counts, volume, lambda u: u.s3.class_b_requests), "measured"),
        Line(p["kms_keys"], fixed["kms_keys"], "template.yaml"),
        Line(p["kms_requests"], _sum(counts, volume, lambda u: _op(u, "kms")), "measured"),
        Line(p["secrets"], fixed["secrets"] + profile.extra_secrets.get(region.code, 0),
             f"template.yaml {fixed['secrets']} + created by ops {profile.extra_secrets.get(region.code, 0)}"),
        Line(p["secret_calls"], secret_calls, "measured" + (" + one per email (SMTP)" if china else "")),
        Line(p["sqs_requests"], _sum(counts, volume, lambda u: _op(u, "sqs")), "measured (dead letters only)"),
        Line(p["ses_emails"], emails, "measured recipients"),
        Line(p["ses_bytes"], _sum(counts, volume, lambda u: u.ses.bytes) / GB, "raw messages, an upper bound"),
        Line(p["logs_ingest"], log_bytes / GB, "measured handler logs + platform, EMF, flow and access lines"),
        Line(p["logs_storage"], kept, f"{profile.log_retention_months:g} months kept"),
        Line(p["metrics"], profile.custom_metric_series, "profile (series of the business metrics)"),
        Line(p["alarms"], alarms, alarms_basis),
        Line(p["dashboards"], fixed["dashboards"] or 1, "template.yaml" if fixed["dashboards"] else "one (issue 10)"),
        Line(p["xray_traces"], traces, "one trace per request or execution"),
        Line(p["cognito_mau"], profile.monthly_active_users, "every staff member signs in"),
    ]  # fmt: skip


# ---------------------------------------------------------------------------- the report
def _quantity(line: Line) -> str:
    value = line.quantity
    if line.price.per >= 1000 or line.price.unit in ("GB-s", "MAU"):
        return f"{value:,.0f}"
    if line.price.unit.startswith(("GB", "GB-month")):
        return f"{value:,.3f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _unit_price(line: Line, region: Region) -> str:
    price = line.price
    if price.amount is None:
        return "not offered"
    text = f"{'≈ ' if price.estimate else ''}{region.symbol}{_number(price.amount)} per {price.unit}"
    if price.free:
        free = f"{price.free:,.0f}" if price.free >= 1 else f"{price.free:g}"
        text += f" (first {free} free)"
    return text


def _number(value: float) -> str:
    """A price as printed on a pricing page: no exponent, no trailing zeros."""
    return f"{value:.10f}".rstrip("0").rstrip(".")


def _money(value: float | None, region: Region) -> str:
    if value is None:
        return "—"
    if 0 < value < 0.005:
        return f"< {region.symbol}0.01"
    return f"{region.symbol}{value:,.2f}"


def region_table(region: Region, priced: list[Line]) -> tuple[str, float]:
    shown = [line for line in priced if line.quantity > 0]
    total = sum(line.cost() or 0.0 for line in shown)
    estimated = sum(line.cost() or 0.0 for line in shown if line.price.estimate)
    out = [
        f"### {region.code}: {region.name}, {region.currency}",
        "",
        "| service | item | quantity a month | unit price | monthly cost |",
        "|---|---|---:|---|---:|",
    ]
    for line in shown:
        out.append(
            f"| {line.price.service} | {line.price.item} ({line.basis}) | {_quantity(line)} "
            f"{line.price.unit.split()[-1]} | {_unit_price(line, region)} | {_money(line.cost(), region)} |"
        )
    out.append(f"| **total** | | | | **{_money(total, region)}** |")
    if estimated:
        out += [
            "",
            f"≈: no figure for the China regions was found; the us-east-1 price × {CNY_PER_USD} CNY/USD "
            f"(together {_money(estimated, region)} of the total). Not offered: priced outside AWS.",
        ]
    zero = sorted({f"{line.price.service} {line.price.item}" for line in priced if line.quantity == 0})
    if zero:
        out += ["", "Nothing to bill this month (zero measured): " + ", ".join(zero) + "."]
    out.append("")
    return "\n".join(out), total


def sources_table(regions: list[Region]) -> str:
    out = [
        "### Prices and their sources",
        "",
        "| region | key | price | source | date | note |",
        "|---|---|---|---|---|---|",
    ]
    for region in regions:
        for price in region.prices.values():
            amount = "not offered" if price.amount is None else f"{region.symbol}{_number(price.amount)} / {price.unit}"
            out.append(f"| {region.code} | `{price.key}` | {amount} | {price.source} | {price.seen} | {price.note} |")
    out.append("")
    return "\n".join(out)


def assumptions(counts: Counts, profile: Profile, volume: list[tuple[str, float]]) -> str:
    units = ", ".join(f"`{name}` × {n:,.0f}" for name, n in volume)
    fields = "; ".join(f"{name} = {getattr(profile, name)}" for name in Profile.model_fields)
    series = sorted({s for name, _ in volume for s in counts.units[name].metric_series})
    cold = (
        "measured by `make bench` (cold part)"
        if counts.cold_init_ms
        else f"{profile.default_init_seconds:g} s (not measured)"
    )
    return "\n".join(
        [
            "### What was assumed",
            "",
            f"- Counts: `make bench` of {counts.measured_at} at commit `{counts.commit}`; units a month: {units}.",
            f"- Profile: {fields}.",
            f"- Business metrics: the bench's units emit {len(series)} distinct series ({'; '.join(series)}); a "
            "month of real use has more (every 文种, decision and channel, reminders): "
            f"{profile.custom_metric_series}.",
            f"- Lambda durations are the handlers' in-process times on the bench machine (moto included, so an "
            f"upper bound); cold INIT {cold}, billed on {profile.cold_start_share:.0%} of invocations.",
            "- Not priced: data transfer out (pages and PDFs of a few tens of KB), SNS alarm emails (a few a "
            "month), EventBridge's hourly schedule, SSM standard parameters (free), CloudTrail, the 12-month "
            "free tiers, taxes.",
            "",
        ]
    )  # fmt: skip


def report(counts: Counts, profile: Profile, regions: list[Region], fixed: dict[str, int]) -> str:
    volume = monthly_units(counts, profile)
    out = [
        "## 月度费用估算 (monthly cost estimate)",
        "",
        f"{profile.staff} staff; a working day: {profile.documents_per_day:g} documents, "
        f"{profile.bookings_per_day:g} room bookings, {profile.approvals_per_day:g} meeting approvals; "
        f"{profile.working_days} working days a month. Computed {date.today():%Y-%m-%d} by `make cost` from "
        f"the counts of `make bench` ({counts.measured_at}, commit `{counts.commit}`).",
        "",
    ]
    for region in regions:
        table, _total = region_table(region, lines(counts, profile, region, fixed))
        out.append(table)
    out.append(assumptions(counts, profile, volume))
    out.append(sources_table(regions))
    return "\n".join(out)


def load_profile(path: Path | None) -> Profile:
    if path is None:
        return Profile()
    try:
        return Profile.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError) as error:
        raise CostError(f"用量假设无效 (bad profile {path}): {error}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.bench.cost", description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", type=Path, default=DEFAULT_COUNTS, help="bench-results.json of make bench")
    parser.add_argument("--profile", type=Path, help="a JSON object overriding Profile's fields")
    parser.add_argument("--region", action="append", choices=sorted(REGIONS), help="default: every region")
    parser.add_argument("--output", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    from infra.local.template import load_yaml

    try:
        counts = load_counts(args.counts)
        text = report(
            counts,
            load_profile(args.profile),
            [REGIONS[code] for code in (args.region or REGIONS)],
            template_fixed(load_yaml(TEMPLATE)),
        )
    except CostError as error:
        print(f"cost: {error}", file=sys.stderr)
        return 2
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
