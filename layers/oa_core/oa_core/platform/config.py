"""Runtime configuration, read from the environment the template gives each function."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from typing import Any


@dataclass(frozen=True)
class Settings:
    records_table: str
    archive_bucket: str
    mail_sender: str
    issuer_code: str
    """机关代字: the issuing office's code in 发文字号, e.g. 示例办发."""
    org_name: str
    public_base_url: str
    link_ttl_hours: int
    document_flow_arn: str
    region: str
    due_hours: dict[str, int]
    """Due time per human step (review/countersign/sign/revise), in hours."""
    mail_transport: str
    """ses or smtp (SES is not offered in the AWS China regions)."""
    smtp_host: str
    smtp_port: int
    smtp_security: str
    """ssl, starttls or none."""
    smtp_username: str
    smtp_password_secret: str
    """Secrets Manager name of the SMTP password."""
    reminder_period_hours: int = 24
    """催办: at most one reminder per overdue task in this many hours."""
    reminder_escalate_after: int = 3
    """After this many reminders the document's signer (签发人) is told, once."""
    auth_issuer: str = ""
    """身份提供方: the OpenID Connect issuer (Cognito user pool or the unit's own), when set directly."""
    auth_issuer_parameter: str = ""
    """SSM parameter holding the issuer URL, when AUTH_ISSUER is not set."""
    auth_client_id: str = ""
    auth_client_id_parameter: str = ""
    """SSM parameter holding the app client id, when AUTH_CLIENT_ID is not set."""
    auth_username_claim: str = "cognito:username"
    """The ID token claim that names the user (its user_id in the directory)."""
    auth_client_secret_name: str = ""
    """Secrets Manager name of the client secret for the token endpoint; empty: a public client (PKCE only)."""
    session_hours: int = 8
    """登录会话: a session ends this many hours after sign-in, whatever happens."""
    session_idle_minutes: int = 30
    """…or after this many minutes without a page (等保 2.0 session timeout)."""
    bookings_table: str = "BookingsTable"
    search_table: str = "SearchTable"
    """全文检索: the inverted index of documents (oa_core.search)."""
    audit_table: str = "AuditTable"
    """审计: the audit table (put-only for every function but the audit reader)."""
    audit_anchor_key_id: str = "alias/oa-system-audit-anchor"
    """The KMS key the audit anchor signs chain heads with (sign-only)."""
    fonds_code: str = "X001"
    """全宗号 of the unit (DA/T 22), the first part of every 档号."""
    archive_lock_mode: str = "GOVERNANCE"
    """S3 Object Lock mode of archive packages: GOVERNANCE or COMPLIANCE (the ArchiveLockMode parameter)."""
    seal_key_id: str = "alias/oa-system-seal"
    """电子签章: the asymmetric KMS key (an alias) that signs documents."""
    seal_algorithm: str = "ECDSA_SHA_256"
    """…and how it signs: ECDSA_SHA_256 (KeySpec ECC_NIST_P256) or SM2DSA (KeySpec SM2, the AWS China regions)."""
    human_task_timeout_seconds: int = 720 * 3600
    """办理时限: a human step of 发文 not decided in this time ends its flow (办理超时, resumable)."""
    meeting_flow_arn: str = ""
    meeting_hold_seconds: int = 48 * 3600
    """How long a room stays held for a meeting awaiting approval (then it is released)."""
    office_department: str = "bgs"
    """办公室: whose 文书 approve meeting rooms that need approval and read every department's documents."""
    allow_same_person_multiple_steps: bool = False
    """职责分离: may one person decide two steps (核稿, 会签, 签发) of one document? Never their own."""
    slot_minutes: int = 30
    """预订时段: bookings start and end on this grid (minutes past the hour)."""
    font_dir: str = "/opt/fonts"
    """The CJK fonts the GB/T 9704 PDF embeds (the fonts layer, mounted at /opt)."""
    delivery_channel: str = "email"
    """对外发送: webhook (政务协同平台) or email."""
    delivery_webhook_url: str = ""
    delivery_secret_name: str = ""
    """Secrets Manager name of the webhook's HMAC key."""
    delivery_flow_arn: str = ""
    delivery_max_attempts: int = 6
    delivery_retry_seconds: int = 60
    """First wait before a retry; each later wait doubles (exponential backoff)."""
    attachment_bucket: str = ""
    """附件: the attachments bucket (uploads under pending/, attached files under attachments/)."""
    attachment_max_bytes: int = 50 * 1024 * 1024
    attachment_max_count: int = 20
    attachment_endpoint: str = ""
    """The S3 endpoint the browser is sent to (presigned POST and GET); empty: the region's own. The local
    stack points it at its HTTP front (``<PublicBaseUrl>/_local/s3``), served by the same moto backend."""
    exchange_secret_name: str = ""
    """收文 from another unit's system: Secrets Manager name of the HMAC key inbound calls are signed with."""
    incoming_flow_arn: str = ""
    """收文's state machine (IncomingFlow), started when a 收文 arrives."""
    copies_flow_arn: str = ""
    """打印份数's state machine (CopiesFlow): one execution renders one print run."""


@cache
def settings() -> Settings:
    env = os.environ
    return Settings(
        records_table=env.get("RECORDS_TABLE", "RecordsTable"),
        archive_bucket=env.get("ARCHIVE_BUCKET", ""),
        mail_sender=env.get("MAIL_SENDER", "oa@example.gov.cn"),
        issuer_code=env.get("ISSUER_CODE", "示例办发"),
        org_name=env.get("ORG_NAME", "示例市人民政府办公室"),
        public_base_url=env.get("PUBLIC_BASE_URL", "").rstrip("/"),
        link_ttl_hours=int(env.get("LINK_TTL_HOURS", "168")),
        document_flow_arn=env.get("DOCUMENT_FLOW_ARN", ""),
        region=env.get("AWS_REGION", env.get("AWS_DEFAULT_REGION", "us-east-1")),
        due_hours={
            step: int(env.get(f"DUE_HOURS_{step.upper()}", default))
            for step, default in (
                ("review", "24"),
                ("countersign", "48"),
                ("sign", "24"),
                ("revise", "72"),
            )
        },
        reminder_period_hours=int(env.get("REMINDER_PERIOD_HOURS", "24")),
        reminder_escalate_after=int(env.get("REMINDER_ESCALATE_AFTER", "3")),
        mail_transport=env.get("MAIL_TRANSPORT", "ses"),
        smtp_host=env.get("SMTP_HOST", ""),
        smtp_port=int(env.get("SMTP_PORT", "465")),
        smtp_security=env.get("SMTP_SECURITY", "ssl"),
        smtp_username=env.get("SMTP_USERNAME", ""),
        smtp_password_secret=env.get("SMTP_PASSWORD_SECRET", ""),
        auth_issuer=env.get("AUTH_ISSUER", ""),
        auth_issuer_parameter=env.get("AUTH_ISSUER_PARAMETER", ""),
        auth_client_id=env.get("AUTH_CLIENT_ID", ""),
        auth_client_id_parameter=env.get("AUTH_CLIENT_ID_PARAMETER", ""),
        auth_username_claim=env.get("AUTH_USERNAME_CLAIM") or "cognito:username",
        auth_client_secret_name=env.get("AUTH_CLIENT_SECRET_NAME", ""),
        session_hours=int(env.get("SESSION_HOURS", "8")),
        session_idle_minutes=int(env.get("SESSION_IDLE_MINUTES", "30")),
        bookings_table=env.get("BOOKINGS_TABLE", "BookingsTable"),
        search_table=env.get("SEARCH_TABLE", "SearchTable"),
        audit_table=env.get("AUDIT_TABLE", "AuditTable"),
        audit_anchor_key_id=env.get("AUDIT_ANCHOR_KEY_ID", "alias/oa-system-audit-anchor"),
        seal_key_id=env.get("SEAL_KEY_ID", "alias/oa-system-seal"),
        seal_algorithm=env.get("SEAL_ALGORITHM", "ECDSA_SHA_256"),
        fonds_code=env.get("FONDS_CODE", "X001"),
        archive_lock_mode=env.get("ARCHIVE_LOCK_MODE", "GOVERNANCE"),
        slot_minutes=int(env.get("BOOKING_SLOT_MINUTES", "30")),
        human_task_timeout_seconds=hours_as_seconds(env.get("HUMAN_TASK_TIMEOUT_HOURS", "720")),
        meeting_flow_arn=env.get("MEETING_FLOW_ARN", ""),
        meeting_hold_seconds=int(env.get("MEETING_HOLD_SECONDS", str(48 * 3600))),
        office_department=env.get("OFFICE_DEPARTMENT", "bgs"),
        allow_same_person_multiple_steps=env.get("ALLOW_SAME_PERSON_MULTIPLE_STEPS", "false").lower() == "true",
        font_dir=env.get("FONT_DIR", "/opt/fonts"),
        delivery_channel=env.get("DELIVERY_CHANNEL", "email"),
        delivery_webhook_url=env.get("DELIVERY_WEBHOOK_URL", ""),
        delivery_secret_name=env.get("DELIVERY_SECRET_NAME", ""),
        delivery_flow_arn=env.get("DELIVERY_FLOW_ARN", ""),
        delivery_max_attempts=int(env.get("DELIVERY_MAX_ATTEMPTS", "6")),
        delivery_retry_seconds=int(env.get("DELIVERY_RETRY_SECONDS", "60")),
        attachment_bucket=env.get("ATTACHMENT_BUCKET", ""),
        attachment_max_bytes=int(float(env.get("ATTACHMENT_MAX_MEGABYTES", "50")) * 1024 * 1024),
        attachment_max_count=int(env.get("ATTACHMENT_MAX_COUNT", "20")),
        attachment_endpoint=env.get("ATTACHMENT_S3_ENDPOINT", "").rstrip("/"),
        exchange_secret_name=env.get("EXCHANGE_SECRET_NAME", ""),
        incoming_flow_arn=env.get("INCOMING_FLOW_ARN", ""),
        copies_flow_arn=env.get("COPIES_FLOW_ARN", ""),
    )


def hours_as_seconds(hours: str) -> int:
    """A template's hours (a CloudFormation Number, so possibly a fraction) as whole seconds, at least one."""
    return max(1, round(float(hours) * 3600))


def client(service: str) -> Any:
    """A boto3 client with standard retries (throttling and 5xx retried with backoff, 5 attempts)."""
    import boto3
    from botocore.config import Config

    # The default session: its loader caches service models shared by every client of the process.
    return boto3.client(  # type: ignore[call-overload]
        service, region_name=settings().region, config=Config(retries={"mode": "standard", "max_attempts": 5})
    )
