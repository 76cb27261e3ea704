"""The embedded local stack, as one object for ``make run`` and for the tests alike.

``LocalStack`` starts moto in-process (Step Functions executing for real, Lambda
dispatched to the real handlers), provisions it from template.yaml, seeds the demo
organisation and offers the API Gateway stand-in two ways: ``invoke_http`` (no
socket, for integration tests) and ``serve`` (a threaded HTTP server on 127.0.0.1).
Both go through the same ``Gateway``, so there is one conversion and one dispatch.
Sign-in goes to the local identity provider (``LocalIssuer``, infra/local/oidc_issuer.py), a real
OpenID Connect issuer on an origin of its own (127.0.0.1, a port the system picks), playing the
template's ``IdentityProvider``: with ``oidc`` the stack passes its URL as ``OidcIssuerUrl`` (and
``oa-local-web`` as ``OidcClientId`` unless one is given); with ``cognito`` it plays the user pool and
the stack points the issuer's SSM parameter at it. ``PUBLIC_BASE_URL`` follows ``serve`` to the port
it binds.

All state is in memory and lives as long as the stack. moto's mock is process-wide:
run one LocalStack at a time.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import parse_qsl, unquote, urlsplit

import boto3
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.config import DefaultConfig
from werkzeug.datastructures import Headers
from werkzeug.serving import BaseWSGIServer, make_server

from infra.local import iam, lambda_dispatch
from infra.local.gateway import Gateway
from infra.local.messages import AccessLog, Directory, HttpRequest, HttpResponse
from infra.local.moto_patches import atomic_dynamodb
from infra.local.moto_speedups import fast_stepfunctions, partition_queries
from infra.local.oidc_issuer import LocalIssuer
from infra.local.powertools_patches import per_thread_events
from infra.local.provision import Provisioned, provision
from infra.local.template import DEFAULT_REGION, DEFAULT_STACK_NAME, Template

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_stepfunctions import SFNClient

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = REPO_ROOT / "template.yaml"
DEMO_ORG_PATH = REPO_ROOT / "infra" / "demo_org.json"
LOCAL_OIDC_CLIENT_ID = "oa-local-web"
"""The client id of the staff pages at the local provider with IdentityProvider=oidc, unless given."""
TOKEN_REUSE_SECONDS = 600
"""``login`` hands out the same token for a user while it has more than this left (a client keeps its token)."""

MOTO_CONFIG: DefaultConfig = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
    "core": {"reset_boto3_session": True},
}

# Set for every local run: the region moto serves, and Powertools features that would
# otherwise try to reach X-Ray or print metrics to stdout.
_BASE_ENV = {
    "AWS_DEFAULT_REGION": DEFAULT_REGION,
    "AWS_REGION": DEFAULT_REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
}


class LocalStack:
    """moto + template resources + real handlers + the API Gateway stand-in."""

    def __init__(
        self,
        *,
        template_path: Path = TEMPLATE_PATH,
        parameter_overrides: Mapping[str, str] | None = None,
        org_file: Path | None = DEMO_ORG_PATH,
        public_base_url: str = "http://127.0.0.1:3000",
        stack_name: str = DEFAULT_STACK_NAME,
        directory: Callable[[], Directory] | None = None,
        issuer_port: int = 0,
    ) -> None:
        """``directory`` replaces oa_core.identity.directory for the local routes (tests of
        templates without the core); ``org_file=None`` seeds nothing; ``issuer_port`` is where the
        local identity provider listens (0: a port the system picks)."""
        self.template_path = template_path
        self.directory = directory or _directory
        self.parameter_overrides = dict(parameter_overrides or {})
        self.org_file = org_file
        self.public_base_url = public_base_url
        self.stack_name = stack_name
        self.template: Template | None = None
        self.provisioned: Provisioned | None = None
        self.gateway: Gateway | None = None
        self.issuer: LocalIssuer | None = None
        self.issuer_port = issuer_port
        self._tokens: dict[str, tuple[float, str]] = {}
        self._exit = ExitStack()
        self._saved_env: dict[str, str | None] = {}
        self._servers: list[tuple[BaseWSGIServer, threading.Thread]] = []
        self.url: str | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> Self:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self._set_env(_BASE_ENV)
        mock = mock_aws(config=MOTO_CONFIG)
        mock.start()
        self._exit.callback(mock.stop)
        self._exit.enter_context(atomic_dynamodb())
        self._exit.enter_context(fast_stepfunctions())
        self._exit.enter_context(partition_queries())
        self._exit.enter_context(per_thread_events())
        self._exit.enter_context(lambda_dispatch.dispatching())
        self._exit.enter_context(iam.enforcing())

        declared = self._declared_parameters()
        issuer = self._start_issuer(declared)
        # The stack's own values go to the parameters the template declares; the caller's overrides are
        # all passed on (a parameter the template lacks is refused), except that the issuer is the local one.
        defaults = {"PublicBaseUrl": self.public_base_url}
        forced = {}
        if issuer.mode == "oidc":
            defaults["OidcClientId"] = LOCAL_OIDC_CLIENT_ID
            forced["OidcIssuerUrl"] = issuer.issuer
        overrides = {
            **{k: v for k, v in defaults.items() if k in declared},
            **self.parameter_overrides,
            **{k: v for k, v in forced.items() if k in declared},
        }
        self.template = Template.from_file(
            self.template_path,
            parameter_overrides=overrides,
            region=DEFAULT_REGION,
            stack_name=self.stack_name,
        )
        self.provisioned = provision(self.template)
        for path in self.provisioned.layer_paths:
            if str(path) not in sys.path:
                sys.path.insert(0, str(path))
        # Only now is oa_core importable in a plain `python -m infra.local` (make run sets no PYTHONPATH: the
        # layers' directories above are its path, as /opt/python is a function's), and the environment set.
        from oa_core.platform import audit

        audit.new_environment()  # new tables: every writer starts a new audit chain, as a cold start would
        self._set_env(self.provisioned.env)
        self._set_env(_s3_endpoint(self.public_base_url))
        self._point_at_issuer(issuer)
        _forget_cached_settings()
        lambda_dispatch.register_functions(self.provisioned.functions)
        self.gateway = Gateway(
            routes=self.provisioned.routes,
            functions=self.provisioned.functions,
            directory=self.directory,
            outbox=self.outbox,
            issuer=issuer,
            region=DEFAULT_REGION,
        )
        if self.org_file is not None:
            self.seed(json.loads(self.org_file.read_text(encoding="utf-8")))

    def _declared_parameters(self) -> dict[str, Any]:
        from infra.local.template import load_yaml

        return load_yaml(self.template_path).get("Parameters") or {}

    def _start_issuer(self, declared: Mapping[str, Any]) -> LocalIssuer:
        """The local identity provider, serving, in the mode the template's IdentityProvider chooses."""
        default = (declared.get("IdentityProvider") or {}).get("Default", "cognito")
        mode = str(self.parameter_overrides.get("IdentityProvider", default))
        claim = self.parameter_overrides.get(
            "OidcUsernameClaim", (declared.get("OidcUsernameClaim") or {}).get("Default", "preferred_username")
        )
        idle = self.parameter_overrides.get(
            "SessionIdleMinutes", (declared.get("SessionIdleMinutes") or {}).get("Default", 30)
        )
        issuer = LocalIssuer(
            self.directory,
            mode=mode,
            region=DEFAULT_REGION,
            username_claim=str(claim),
            token_ttl_seconds=int(idle) * 60,
        )
        issuer.serve(port=self.issuer_port)
        self._exit.callback(issuer.stop)
        self.issuer = issuer
        return issuer

    def _point_at_issuer(self, issuer: LocalIssuer) -> None:
        """The functions learn the issuer from the SSM parameter the template names: make it the local one
        (with IdentityProvider=cognito the template's value is the real user pool's URL)."""
        parameter = os.environ.get("AUTH_ISSUER_PARAMETER")
        if parameter:
            boto3.client("ssm", region_name=DEFAULT_REGION).put_parameter(
                Name=parameter, Value=issuer.issuer, Type="String", Overwrite=True
            )

    def stop(self) -> None:
        for server, thread in self._servers:
            server.shutdown()
            server.server_close()
            if thread is not threading.current_thread():
                thread.join(timeout=5)
        self._servers.clear()
        lambda_dispatch.register_functions({})
        self._exit.close()
        self._tokens.clear()
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env.clear()
        _forget_cached_settings()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _set_env(self, values: Mapping[str, str]) -> None:
        for key, value in values.items():
            self._saved_env.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    # ------------------------------------------------------------------ data
    def seed(self, org: dict[str, Any]) -> None:
        """Write an organisation (departments, users; rooms, vehicles, drivers) through the core."""
        from oa_core.bookings.reservations import seed_resources
        from oa_core.identity.directory import seed_organisation

        seed_organisation(org)
        seed_resources(org.get("resources", []))

    @property
    def env(self) -> dict[str, str]:
        """The environment every local function sees (union of the template's)."""
        return dict(self._provisioned.env)

    @property
    def _provisioned(self) -> Provisioned:
        if self.provisioned is None:
            raise RuntimeError("LocalStack is not started")
        return self.provisioned

    @property
    def state_machine_arn(self) -> str:
        """The DocumentFlow ARN (or the only state machine's)."""
        machines = self._provisioned.state_machines
        if "DocumentFlow" in machines:
            return machines["DocumentFlow"]
        if len(machines) == 1:
            return next(iter(machines.values()))
        raise KeyError("no DocumentFlow state machine in the template")

    @property
    def state_machines(self) -> dict[str, str]:
        return dict(self._provisioned.state_machines)

    @property
    def sfn(self) -> SFNClient:
        return boto3.client("stepfunctions", region_name=DEFAULT_REGION)

    @property
    def ddb(self) -> DynamoDBClient:
        return boto3.client("dynamodb", region_name=DEFAULT_REGION)

    @property
    def s3(self) -> S3Client:
        return boto3.client("s3", region_name=DEFAULT_REGION)

    def inject_invoke_faults(
        self,
        function_logical_id: str,
        count: int,
        error_code: str = "TooManyRequestsException",
        only_for: Mapping[str, Any] | None = None,
    ) -> None:
        lambda_dispatch.inject_invoke_faults(function_logical_id, count, error_code, only_for)

    def outbox(self) -> list[dict[str, Any]]:
        """Every email sent so far, oldest first, as the core's mail parser reads it."""
        from moto.ses.models import RawMessage, ses_backends

        from oa_core.platform.mail import parse_raw_message

        messages = list(ses_backends[DEFAULT_ACCOUNT_ID][DEFAULT_REGION].sent_messages)
        result: list[dict[str, Any]] = []
        for message in messages:
            if isinstance(message, RawMessage):
                result.append(parse_raw_message(message.raw_data))
            else:
                destinations = getattr(message, "destinations", {}) or {}
                result.append(
                    {
                        "to": list(destinations.get("ToAddresses", [])),
                        "subject": getattr(message, "subject", ""),
                        "text": getattr(message, "body", ""),
                        "html": "",
                        "sent_at": None,
                        "links": [],
                    }
                )
        return result

    # ------------------------------------------------------------------ HTTP
    def _gateway(self) -> Gateway:
        if self.gateway is None:
            raise RuntimeError("LocalStack is not started")
        return self.gateway

    def login(self, user_id: str) -> str:
        """A bearer ID token for ``user_id``, as ``POST /_local/login`` gives; the same one while it has
        more than ``TOKEN_REUSE_SECONDS`` left, as a client keeps its token (and the authorizer's cache
        then answers)."""
        issuer = self.issuer
        if issuer is None:
            raise RuntimeError("LocalStack is not started")
        held = self._tokens.get(user_id)
        if held is None or held[0] - time.time() < TOKEN_REUSE_SECONDS:
            token = issuer.token_for(user_id)
            held = (time.time() + issuer.token_ttl_seconds, token)
            self._tokens[user_id] = held
        return held[1]

    def invoke_http(
        self,
        method: str,
        path: str,
        *,
        user_id: str | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """Send one request through the gateway without a socket.

        ``path`` is a path of the stack, or an absolute URL of the local identity provider (its
        pages, as a browser follows a sign-in there). ``body`` may be bytes, text, or anything JSON
        can carry (sent as JSON). ``user_id`` signs the request in as that user. Returns an
        ``HttpResponse`` (unpackable as ``status, headers, body``; ``.json()`` parses the body).
        """
        request_headers = Headers(list((headers or {}).items()))
        request_headers.setdefault("Host", urlsplit(self.public_base_url).netloc)
        if body is None:
            raw = b""
        elif isinstance(body, bytes):
            raw = body
        elif isinstance(body, str):
            raw = body.encode("utf-8")
        else:
            raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
            request_headers.setdefault("Content-Type", "application/json")
        if user_id is not None:
            request_headers["Authorization"] = f"Bearer {self.login(user_id)}"
        split = urlsplit(path)
        request = HttpRequest(
            method=method.upper(),
            path=unquote(split.path),  # as a WSGI server decodes it
            query=parse_qsl(split.query, keep_blank_values=True),
            headers=request_headers,
            body=raw,
        )
        if split.netloc and self.issuer is not None and f"{split.scheme}://{split.netloc}" == self.issuer.origin:
            return self.issuer.handle(request)
        return self._gateway().handle(request)

    def serve(self, port: int = 0, host: str = "127.0.0.1") -> threading.Thread:
        """Serve HTTP in a background thread; ``self.url`` says where.

        With ``port=0`` the system picks a free port; PUBLIC_BASE_URL then follows it.
        """
        server = self._bind(port, host)
        thread = threading.Thread(target=server.serve_forever, name="oa-local-http", daemon=True)
        thread.start()
        self._servers.append((server, thread))
        return thread

    def serve_forever(self, port: int, host: str = "127.0.0.1", on_ready: Callable[[str], None] | None = None) -> None:
        """Serve HTTP in this thread until ``shutdown()`` (the ``make run`` case).

        ``on_ready(url)`` runs once the port is bound, before the first request. With ``port=0``
        the system picks a free port; PUBLIC_BASE_URL then follows it, as with ``serve``.
        """
        server = self._bind(port, host)
        self._servers.append((server, threading.current_thread()))
        if on_ready is not None:
            on_ready(self.public_base_url)
        server.serve_forever()

    def _bind(self, port: int, host: str) -> BaseWSGIServer:
        """A threaded server on the port; links and sign-in (PUBLIC_BASE_URL) follow where it is."""
        server = make_server(host, port, self._gateway().wsgi_app, threaded=True, request_handler=AccessLog)
        self.url = f"http://{host}:{server.server_port}"
        if self.url != self.public_base_url:
            from infra.local.s3_front import follow_origin

            follow_origin(self.public_base_url, self.url)
            self.public_base_url = self.url
            self._set_env({"PUBLIC_BASE_URL": self.url, **_s3_endpoint(self.url)})
            _forget_cached_settings()
        return server

    def shutdown(self) -> None:
        """Ask ``serve_forever`` to return (safe from a signal handler's thread)."""
        for server, _thread in self._servers:
            threading.Thread(target=server.shutdown, daemon=True).start()


def _s3_endpoint(base_url: str) -> dict[str, str]:
    """Where the functions send a browser for S3 (附件 uploads and downloads): this stack's own front,
    which serves S3's browser endpoints from the same moto backend (infra/local/s3_front.py), under the
    other name of the loopback address (``localhost`` for ``127.0.0.1`` and back), so that, as on AWS,
    it is another origin than the pages and the browser checks the bucket's CORS rules."""
    from infra.local.s3_front import PREFIX

    split = urlsplit(base_url)
    other = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}.get(split.hostname or "", split.hostname or "")
    netloc = f"{other}:{split.port}" if split.port else other
    return {"ATTACHMENT_S3_ENDPOINT": f"{split.scheme}://{netloc}{PREFIX.rstrip('/')}"}


def _directory() -> Directory:
    from oa_core.identity import directory

    return Directory(
        list_users=directory.list_users,
        get_user=directory.get_user,
        list_departments=directory.list_departments,
        role_names=directory.ROLE_NAMES,
    )


def _forget_cached_settings() -> None:
    """The core caches settings read from the environment, SSM parameters and secrets (Powertools) and
    the identity provider's documents: make it read them again (a new stack, a new issuer, a new port)."""
    for module, function in (
        ("oa_core.platform.config", "settings.cache_clear"),
        ("oa_core.identity.provider", "forget"),
        ("aws_lambda_powertools.utilities.parameters", "clear_caches"),
    ):
        target: Any = sys.modules.get(module)
        for name in function.split("."):
            target = getattr(target, name, None)
        if callable(target):
            target()
