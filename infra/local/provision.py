"""Create the template's resources in moto, from template.yaml and nothing else.

Called inside an active ``moto.mock_aws``. Every DynamoDB table, S3 bucket, SES
identity, function and state machine of the template is created through the ordinary
boto3 APIs (so moto validates them as it would any client's call); function code is a
placeholder zip, because invocations are dispatched in-process to the real handlers
(see ``lambda_dispatch``). SSM parameters get their values. The result says what a
local process needs: the resolved environment, the functions, the API routes and the state machine ARNs.
"""

from __future__ import annotations

import fcntl
import io
import json
import logging
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from infra.local import iam, layer_imports
from infra.local.lambda_dispatch import FunctionSpec
from infra.local.template import Route, Template, TemplateError

LOG = logging.getLogger(__name__)

EXECUTION_ROLE_NAME = "oa-local-execution-role"

_ASSUME_ROLE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }
    ],
}


CREATED_TYPES = frozenset(
    {
        "AWS::DynamoDB::Table",
        "AWS::S3::Bucket",
        "AWS::SES::EmailIdentity",
        "AWS::SSM::Parameter",
        "AWS::KMS::Key",
        "AWS::KMS::Alias",
        "AWS::SQS::Queue",
        "AWS::SecretsManager::Secret",
        "AWS::Serverless::LayerVersion",
        "AWS::Serverless::Function",
        "AWS::Lambda::Function",
        "AWS::Serverless::StateMachine",
        "AWS::StepFunctions::StateMachine",
    }
)
"""Resource types the local stack creates in moto (the API's routes and Cognito are the gateway's)."""

NOT_CREATED_TYPES: Mapping[str, str] = {
    "AWS::Serverless::Api": "served by the gateway stand-in from the functions' Api events (Template.routes)",
    "AWS::Cognito::UserPool": "its issuer is the gateway's Cognito stand-in (stack.py)",
    "AWS::Cognito::UserPoolClient": "the Cognito stand-in accepts the local client",
    "AWS::Cognito::UserPoolDomain": "the Cognito stand-in is served at AUTH_BASE_URL",
    "AWS::Logs::LogGroup": "functions log to the local process's output",
    "AWS::IAM::Role": "moto enforces no IAM; the functions' DynamoDB grants are checked by iam.py",
    "AWS::ApiGateway::Account": "account-level API Gateway logging: nothing local reads it",
    "AWS::S3::BucketPolicy": "moto enforces no bucket policy",
    "AWS::SQS::QueuePolicy": "moto enforces no queue policy",
    "AWS::SNS::Topic": "operations alarms only: no function publishes to it",
    "AWS::SNS::Subscription": "operations alarms only",
    "AWS::CloudWatch::Alarm": "alarms on metrics only AWS produces",
    "AWS::CloudWatch::Dashboard": "a view of metrics only AWS produces",
}
"""Resource types the local stack leaves out, and why (tests/unit/infra/test_template_loader.py
checks that every type of template.yaml is in one of the two)."""


@dataclass
class Provisioned:
    """What was created, keyed by logical ID where the template has one."""

    env: dict[str, str]
    functions: dict[str, FunctionSpec]
    routes: list[Route]
    state_machines: dict[str, str]
    tables: dict[str, str] = field(default_factory=dict)
    buckets: dict[str, str] = field(default_factory=dict)
    layer_paths: list[Path] = field(default_factory=list)
    mail_identities: list[str] = field(default_factory=list)


def _placeholder_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def provision(template: Template) -> Provisioned:
    """Create every supported resource of ``template`` in the active moto mock."""
    region = template.region
    role_arn = _execution_role(region)
    tables = _create_tables(template, region)
    buckets = _create_buckets(template, region)
    identities = _verify_mail_identities(template, region)
    _create_parameters(template, region)
    _create_keys(template, region)
    _create_queues(template, region)
    _create_secrets(template, region)
    python_layers, opt_dirs = _layers(template)
    functions = _create_functions(template, region, role_arn, python_layers)
    state_machines = _create_state_machines(template, region, role_arn)
    return Provisioned(
        env=_map_opt(_union_environment(functions), opt_dirs),
        functions=functions,
        routes=template.routes(),
        state_machines=state_machines,
        tables=tables,
        buckets=buckets,
        layer_paths=list(python_layers.values()),
        mail_identities=identities,
    )


LOCAL_LAYERS_DIR = Path(".aws-sam") / "local-layers"
"""Where the local stack builds ``makefile`` layers (relative to the template's directory)."""


def _layers(template: Template) -> tuple[dict[str, Path], list[Path]]:
    """Python layers (by logical id) go on ``sys.path``; ``makefile`` layers are built as ``sam build`` would.

    A python layer needs no build: the packages its requirements file names are those of the venv
    (requirements-dev.txt includes the file), and what a function may import of them follows the
    layers it carries (``layer_imports``). A makefile layer is built by `build_makefile_layer`.
    """
    python_layers: dict[str, Path] = {}
    opt_dirs: list[Path] = []
    for logical_id, resource in template.resources_of_type("AWS::Serverless::LayerVersion").items():
        metadata = resource.get("Metadata") or {}
        if metadata.get("BuildMethod") != "makefile":
            python_layers[logical_id] = (
                template.base_dir / str(template.properties(logical_id)["ContentUri"])
            ).resolve()
            continue
        opt_dirs.append(build_makefile_layer(template, logical_id))
    return python_layers, opt_dirs


def build_makefile_layer(template: Template, logical_id: str) -> Path:
    """Build a ``makefile`` layer as ``sam build`` does; the directory that stands for its ``/opt``.

    The layer's target ``build-<LogicalId>`` runs with ``ARTIFACTS_DIR`` set to a local directory (see
    ``_map_opt``) and, as ``make template-check`` runs ``sam build``, with this interpreter's directory
    (the venv's bin) first on PATH, so a recipe's ``python3`` is the one with the build's packages.
    """
    content = (template.base_dir / str(template.properties(logical_id)["ContentUri"])).resolve()
    artifacts = (template.base_dir / LOCAL_LAYERS_DIR / logical_id).resolve()
    artifacts.mkdir(parents=True, exist_ok=True)
    make = shutil.which("make")
    if make is None:
        raise RuntimeError(f"layer {logical_id} is built with make, which is not installed")
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    # One build at a time: stacks of parallel test workers (or of two runs) share the directory,
    # and one must not read a font another is still copying in.
    with (artifacts.parent / f"{logical_id}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = subprocess.run(  # noqa: S603 - our own Makefile target, no shell
            [make, "--no-print-directory", "-C", str(content), f"build-{logical_id}"],
            env={**os.environ, "ARTIFACTS_DIR": str(artifacts), "PATH": path},
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"layer {logical_id} did not build locally:\n{result.stderr.strip()}")
    return artifacts


def _map_opt(env: dict[str, str], opt_dirs: list[Path]) -> dict[str, str]:
    """Environment values that name a path under ``/opt`` (where Lambda mounts layers) point at
    the local build of the layer that has that path."""
    mapped = dict(env)
    for key, value in env.items():
        if not value.startswith("/opt/"):
            continue
        for opt in opt_dirs:
            candidate = opt / value.removeprefix("/opt/")
            if candidate.exists():
                mapped[key] = str(candidate)
                break
    return mapped


def _execution_role(region: str) -> str:
    iam = boto3.client("iam", region_name=region)
    role = iam.create_role(
        RoleName=EXECUTION_ROLE_NAME,
        AssumeRolePolicyDocument=json.dumps(_ASSUME_ROLE_POLICY),
    )
    return str(role["Role"]["Arn"])


def _create_tables(template: Template, region: str) -> dict[str, str]:
    dynamodb = boto3.client("dynamodb", region_name=region)
    created: dict[str, str] = {}
    for logical_id in template.resources_of_type("AWS::DynamoDB::Table"):
        props = template.properties(logical_id)
        name = template.physical_id(logical_id)
        request: dict[str, Any] = {
            "TableName": name,
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": props.get("BillingMode", "PROVISIONED"),
        }
        if request["BillingMode"] == "PROVISIONED":
            request["ProvisionedThroughput"] = props.get(
                "ProvisionedThroughput", {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
            )
        for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes", "StreamSpecification"):
            if props.get(key):
                request[key] = props[key]
        dynamodb.create_table(**request)
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={
                    "Enabled": True,
                    "AttributeName": ttl["AttributeName"],
                },
            )
        created[logical_id] = name
    return created


def cors_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    """A CloudFormation ``CorsRules`` entry as the S3 API takes it (``MaxAge`` is ``MaxAgeSeconds`` there).
    The bucket's lifecycle rules are not applied: moto would store them but never expire anything."""
    names = {"MaxAge": "MaxAgeSeconds", "Id": "ID"}
    return {names.get(key, key): int(value) if key == "MaxAge" else value for key, value in rule.items()}


def _create_buckets(template: Template, region: str) -> dict[str, str]:
    s3 = boto3.client("s3", region_name=region)
    created: dict[str, str] = {}
    for logical_id in template.resources_of_type("AWS::S3::Bucket"):
        props = template.properties(logical_id)
        name = template.physical_id(logical_id)
        request: dict[str, Any] = {"Bucket": name}
        if region != "us-east-1":
            request["CreateBucketConfiguration"] = {"LocationConstraint": region}
        if props.get("ObjectLockEnabled"):
            request["ObjectLockEnabledForBucket"] = True
        s3.create_bucket(**request)
        versioning = props.get("VersioningConfiguration")
        if versioning:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning["Status"]})
        lock = props.get("ObjectLockConfiguration")
        if lock and props.get("ObjectLockEnabled"):
            # A parameter resolves to a string (ArchiveRetentionYears); the API takes an integer.
            retention = (lock.get("Rule") or {}).get("DefaultRetention") or {}
            for unit in ("Days", "Years"):
                if unit in retention:
                    retention[unit] = int(retention[unit])
            s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration=lock)
        encryption = props.get("BucketEncryption")
        if encryption:
            s3.put_bucket_encryption(
                Bucket=name,
                ServerSideEncryptionConfiguration={
                    # CloudFormation and the S3 API name this key differently.
                    "Rules": [
                        {"ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"]}
                        for rule in encryption["ServerSideEncryptionConfiguration"]
                    ]
                },
            )
        public_access = props.get("PublicAccessBlockConfiguration")
        if public_access:
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=public_access)
        cors = (props.get("CorsConfiguration") or {}).get("CorsRules")
        if cors:  # stored for the local S3 front, which answers the browser's preflight from it
            rules: Any = [cors_rule(rule) for rule in cors]
            s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})
        created[logical_id] = name
    return created


def _verify_mail_identities(template: Template, region: str) -> list[str]:
    ses = boto3.client("ses", region_name=region)
    identities: list[str] = []
    for logical_id in template.resources_of_type("AWS::SES::EmailIdentity"):
        identity = template.physical_id(logical_id)
        if "@" in identity:
            ses.verify_email_identity(EmailAddress=identity)
        else:
            ses.verify_domain_identity(Domain=identity)
        identities.append(identity)
    return identities


def _create_parameters(template: Template, region: str) -> list[str]:
    """SSM parameters (AWS::SSM::Parameter) with their resolved values."""
    ssm = boto3.client("ssm", region_name=region)
    names: list[str] = []
    for logical_id in template.resources_of_type("AWS::SSM::Parameter"):
        props = template.properties(logical_id)
        name = str(props.get("Name") or logical_id)
        ssm.put_parameter(Name=name, Value=str(props["Value"]), Type=str(props.get("Type", "String")), Overwrite=True)
        names.append(name)
    return names


def _create_keys(template: Template, region: str) -> dict[str, str]:
    """KMS keys (spec and usage as declared) and their aliases; returns key ids by logical id."""
    kms = boto3.client("kms", region_name=region)
    created: dict[str, str] = {}
    for logical_id in template.resources_of_type("AWS::KMS::Key"):
        props = template.properties(logical_id)
        response = kms.create_key(
            Description=str(props.get("Description", logical_id)),
            KeySpec=str(props.get("KeySpec", "SYMMETRIC_DEFAULT")),
            KeyUsage=str(props.get("KeyUsage", "ENCRYPT_DECRYPT")),
        )
        created[template.physical_id(logical_id)] = str(response["KeyMetadata"]["KeyId"])
    for logical_id in template.resources_of_type("AWS::KMS::Alias"):
        props = template.properties(logical_id)
        target = str(props["TargetKeyId"])
        kms.create_alias(AliasName=str(props["AliasName"]), TargetKeyId=created.get(target, target))
    return created


def _create_queues(template: Template, region: str) -> None:
    """SQS queues (AWS::SQS::Queue) under their template names, at the URL ``!Ref`` gives."""
    sqs = boto3.client("sqs", region_name=region)
    for logical_id in template.resources_of_type("AWS::SQS::Queue"):
        props = template.properties(logical_id)
        attributes: dict[Any, str] = {
            key: str(props[key]).lower() if isinstance(props[key], bool) else str(props[key])
            for key in ("MessageRetentionPeriod", "VisibilityTimeout", "SqsManagedSseEnabled")
            if key in props
        }
        url = sqs.create_queue(QueueName=template.queue_name(logical_id), Attributes=attributes)["QueueUrl"]
        if url != template.physical_id(logical_id):
            raise RuntimeError(f"{logical_id}: moto's queue URL {url} is not the one !Ref gives")


def _create_secrets(template: Template, region: str) -> None:
    """Secrets (AWS::SecretsManager::Secret): the value of ``OA_LOCAL_SECRET_<LogicalId>`` when that is set
    (the contract's switch: two local stacks can share an HMAC key), else a given SecretString, else one
    generated as CloudFormation would, or, with neither, an empty secret (no value: reading it is
    ResourceNotFoundException, as on AWS)."""
    import secrets

    client = boto3.client("secretsmanager", region_name=region)
    for logical_id in template.resources_of_type("AWS::SecretsManager::Secret"):
        props = template.properties(logical_id)
        name = str(props.get("Name") or f"{template.stack_name}-{logical_id}")
        value = os.environ.get(f"OA_LOCAL_SECRET_{logical_id}") or props.get("SecretString")
        if value is None and "GenerateSecretString" not in props:
            client.create_secret(Name=name)
            continue
        if value is None:
            length = int((props.get("GenerateSecretString") or {}).get("PasswordLength", 32))
            value = secrets.token_urlsafe(length)[:length]
        client.create_secret(Name=name, SecretString=str(value))


def _create_functions(
    template: Template, region: str, role_arn: str, python_layers: Mapping[str, Path]
) -> dict[str, FunctionSpec]:
    lambda_client = boto3.client("lambda", region_name=region)
    code = _placeholder_zip()
    layer_ids = {template.ref(layer): layer for layer in template.resources_of_type("AWS::Serverless::LayerVersion")}
    functions: dict[str, FunctionSpec] = {}
    for logical_id in template.resources_of_type("AWS::Serverless::Function", "AWS::Lambda::Function"):
        props = template.properties(logical_id)
        name = template.physical_id(logical_id)
        environment = template.function_environment(logical_id)
        timeout = int(props.get("Timeout", 3))
        memory = int(props.get("MemorySize", 128))
        created = lambda_client.create_function(
            FunctionName=name,
            Runtime=props.get("Runtime", "python3.13"),
            Role=role_arn,
            Handler=str(props["Handler"]),
            Code={"ZipFile": code},
            Timeout=timeout,
            MemorySize=memory,
            Environment={"Variables": environment},
        )
        code_uri = props.get("CodeUri", ".")
        if not isinstance(code_uri, str):
            raise ValueError(f"{logical_id}: only a local CodeUri path can run locally")
        code_dir = (template.base_dir / code_uri).resolve()
        carried = [layer_ids.get(str(arn), str(arn)) for arn in props.get("Layers", [])]
        functions[logical_id] = FunctionSpec(
            logical_id=logical_id,
            name=name,
            arn=str(created["FunctionArn"]),
            code_dir=code_dir,
            handler=str(props["Handler"]),
            timeout_seconds=timeout,
            memory_mb=memory,
            environment=environment,
            importable=_importable(logical_id, code_dir, carried, set(layer_ids.values()), python_layers),
            policy=iam.policy_of(template, logical_id),
        )
    return functions


def _importable(
    logical_id: str, code_dir: Path, carried: list[str], template_layers: set[str], python_layers: Mapping[str, Path]
) -> layer_imports.Importable | None:
    """What the function may import, from the layers it carries; None (nothing checked) when one of
    them is not the template's (a layer ARN from elsewhere brings who knows what)."""
    if not set(carried) <= template_layers:
        return None
    return layer_imports.importable(logical_id, code_dir, [(layer, python_layers.get(layer)) for layer in carried])


def _definition(template: Template, logical_id: str) -> str:
    """The definition with its substitutions filled as CloudFormation does; a placeholder no
    substitution names would reach moto as text, so it stops the stack instead."""
    definition = template.state_machine_definition(logical_id)
    if definition.unresolved:
        raise TemplateError(f"{logical_id}: {definition.source} names no substitution for {definition.unresolved}")
    return definition.text


def _create_state_machines(template: Template, region: str, role_arn: str) -> dict[str, str]:
    sfn = boto3.client("stepfunctions", region_name=region)
    created: dict[str, str] = {}
    for logical_id in template.resources_of_type("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"):
        props = template.properties(logical_id)
        response = sfn.create_state_machine(
            name=template.state_machine_name(logical_id),
            definition=_definition(template, logical_id),
            roleArn=role_arn,
            type=props.get("Type", props.get("StateMachineType", "STANDARD")),
        )
        created[logical_id] = str(response["stateMachineArn"])
    return created


def _union_environment(functions: dict[str, FunctionSpec]) -> dict[str, str]:
    """One process serves every function, so its environment is their union.

    When functions disagree on a variable, a non-empty value wins over an empty one;
    two different non-empty values are reported, and the first function's is kept.
    """
    env: dict[str, str] = {}
    for spec in functions.values():
        for key, value in spec.environment.items():
            current = env.get(key)
            if current is None or (not current and value):
                env[key] = value
            elif value and value != current:
                LOG.warning("env %s differs between functions; keeping %r", key, current)
    return env
