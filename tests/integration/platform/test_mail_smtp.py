"""Mail through an SMTP relay (MailTransport=smtp), for regions without SES: a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import boto3
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from infra.local.polling import STEP_SECONDS, scaled
from infra.local.stack import LocalStack
from oa_core.platform import mail
from oa_core.platform.config import settings
from oa_core.platform.lambda_support import _is_transient

pytestmark = pytest.mark.integration

PASSWORD = "relay-password-from-secrets-manager"


OUTCOME = {
    "document_id": "d-1",
    "title": "关于SMTP测试的通知",
    "doc_type": "通知",
    "urgency": "特急",
    "summary": "",
    "number": "示例办发〔2026〕9号",
    "main_recipients": ["各处室"],
    "name": "张伟",
    "outcome": "archived",
    "headline": "已办结归档",
    "detail": "",
}


class Relay:
    """What the relay received, and who logged in."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.password.decode() == PASSWORD
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok)


@pytest.fixture
def relay(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Relay, Controller]]:
    handler = Relay()
    with socket.socket() as probe:  # a free port on the loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=handler.authenticate,
        auth_require_tls=False,
        ready_timeout=scaled(STEP_SECONDS),  # its thread starting to serve (5 s by default)
    )
    controller.start()
    boto3.client("secretsmanager").create_secret(Name=stack.env["SMTP_PASSWORD_SECRET"], SecretString=PASSWORD)
    for name, value in {
        "MAIL_TRANSPORT": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_SECURITY": "none",
        "SMTP_USERNAME": "oa-relay",
    }.items():
        monkeypatch.setenv(name, value)
    settings.cache_clear()
    yield handler, controller
    controller.stop()
    boto3.client("secretsmanager").delete_secret(
        SecretId=stack.env["SMTP_PASSWORD_SECRET"], ForceDeleteWithoutRecovery=True
    )
    monkeypatch.undo()
    settings.cache_clear()


def test_mail_goes_through_the_smtp_relay_with_the_password_from_secrets_manager(
    relay: tuple[Relay, Controller],
) -> None:
    handler, _ = relay
    sent_through_ses_before = len(boto3.client("ses").list_identities()["Identities"])
    mail.send(
        ["zhangwei@example.gov.cn"],
        mail.subject_line("关于SMTP测试的通知", "特急", "已办结归档"),
        "flow_outcome",
        OUTCOME,
    )
    assert handler.logins == ["oa-relay"]
    [message] = handler.messages
    assert message["Subject"] == "【特急】已办结归档：关于SMTP测试的通知"
    assert message["To"] == "zhangwei@example.gov.cn"
    parts = {part.get_content_type() for part in message.walk()}
    assert {"text/plain", "text/html"} <= parts
    assert len(boto3.client("ses").list_identities()["Identities"]) == sent_through_ses_before


def test_an_unreachable_relay_is_a_transient_failure_the_flow_retries(
    relay: tuple[Relay, Controller], monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    monkeypatch.setenv("SMTP_PORT", str(closed))
    settings.cache_clear()
    with pytest.raises(OSError) as caught:
        mail.send(["a@example.gov.cn"], "主题", "flow_outcome", OUTCOME)
    assert _is_transient(caught.value), "the step raises TransientError and the state machine retries it"
