"""身份鉴别 in the template: the Cognito pool asks for a TOTP second factor (MfaMode, required by default),
keeps the password policy, and pins the client's token lifetimes to the idle limit, which the
authorizer enforces for any provider."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infra.local.template import load_yaml

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = load_yaml(ROOT / "template.yaml")
PARAMETERS: dict[str, Any] = TEMPLATE["Parameters"]
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
POOL = RESOURCES["UserPool"]["Properties"]
CLIENT = RESOURCES["UserPoolClient"]["Properties"]


def test_mfa_is_a_parameter_that_defaults_to_required() -> None:
    assert PARAMETERS["MfaMode"]["Default"] == "required"
    assert PARAMETERS["MfaMode"]["AllowedValues"] == ["required", "optional"]
    assert TEMPLATE["Conditions"]["MfaRequired"] == {"Fn::Equals": [{"Ref": "MfaMode"}, "required"]}
    assert POOL["MfaConfiguration"] == {"Fn::If": ["MfaRequired", "ON", "OPTIONAL"]}
    assert POOL["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"], "TOTP (software token), not SMS"


def test_the_password_policy_stays_as_it_was() -> None:
    assert POOL["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 12,
        "RequireLowercase": True,
        "RequireUppercase": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
        "TemporaryPasswordValidityDays": 3,
    }
    assert POOL["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}


def test_the_clients_token_lifetimes_are_pinned_to_the_idle_limit_and_the_sign_in() -> None:
    assert CLIENT["AccessTokenValidity"] == {"Ref": "SessionIdleMinutes"}
    assert CLIENT["IdTokenValidity"] == {"Ref": "SessionIdleMinutes"}
    assert CLIENT["RefreshTokenValidity"] == {"Ref": "SessionHours"}
    assert CLIENT["TokenValidityUnits"] == {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "hours"}
    assert CLIENT["EnableTokenRevocation"] is True


def test_the_parameters_bounds_are_lifetimes_cognito_accepts() -> None:
    idle, hours = PARAMETERS["SessionIdleMinutes"], PARAMETERS["SessionHours"]
    # Cognito: access and ID tokens 5 minutes to 1 day; refresh tokens 60 minutes to 10 years.
    assert 5 <= idle["MinValue"] <= idle["Default"] <= idle["MaxValue"] <= 24 * 60
    assert 1 <= hours["MinValue"] <= hours["Default"] <= hours["MaxValue"] <= 10 * 365 * 24
    assert idle["Default"] == 30


def test_the_authorizer_knows_the_idle_limit() -> None:
    env = RESOURCES["AuthorizerFunction"]["Properties"]["Environment"]["Variables"]
    assert env["SESSION_IDLE_MINUTES"] == {"Ref": "SessionIdleMinutes"}
