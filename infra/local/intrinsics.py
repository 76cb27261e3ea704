"""Intrinsic functions resolved the way CloudFormation would, for the local account and region.

Owns `Resolver`: ``Ref`` (parameters, pseudo parameters, resources), ``Fn::GetAtt``, ``Fn::Sub``,
``Fn::If`` and the condition functions, ``Fn::Join``/``Select``/``Split``/``FindInMap``/``Base64``/
``GetAZs``/``Length``/``ToJsonString``, ``AWS::NoValue`` (the property disappears), and the
physical names and attributes of resources.

Physical names follow one rule so that ``!Ref`` and ``!GetAtt`` agree with what the
provisioner creates: an explicit name property wins (``TableName``, ``FunctionName``,
``Name``...), otherwise the logical ID (lower-cased and prefixed with the stack name
for S3 buckets, whose names must be lower case).
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from infra.local.template_yaml import TemplateError


class _NoValue:
    """``AWS::NoValue``: the property disappears."""


NO_VALUE = _NoValue()

_SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def is_intrinsic(value: Any) -> bool:
    """Whether ``value`` is one intrinsic function call (``{"Ref": ...}``, ``{"Fn::...": ...}``)."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    (key,) = value
    return key in ("Ref", "Condition") or str(key).startswith("Fn::")


class Resolver:
    """Resolves template fragments against one stack's document, resources and chosen parameters."""

    def __init__(
        self,
        document: dict[str, Any],
        resources: dict[str, dict[str, Any]],
        parameters: dict[str, str],
        *,
        region: str,
        account_id: str,
        stack_name: str,
    ) -> None:
        self.document = document
        self.resources = resources
        self.parameters = parameters
        self.region = region
        self.account_id = account_id
        self.stack_name = stack_name
        self._resolving: set[str] = set()
        self._physical: dict[str, str] = {}
        self._condition_values: dict[str, bool] = {}

    # ------------------------------------------------------------------ conditions
    def condition(self, name: str) -> bool:
        """Whether the template's condition ``name`` holds (each one resolved once)."""
        if name not in self._condition_values:
            conditions = self.document.get("Conditions") or {}
            if name not in conditions:
                raise TemplateError(f"unknown condition {name}")
            self._condition_values[name] = bool(self.resolve(conditions[name]))
        return self._condition_values[name]

    # ------------------------------------------------------------------ names
    def physical_id(self, logical_id: str) -> str:
        """What ``!Ref logical_id`` gives for a resource."""
        if logical_id in self._physical:
            return self._physical[logical_id]
        if logical_id not in self.resources:
            raise TemplateError(f"!Ref to unknown resource {logical_id}")
        if logical_id in self._resolving:
            raise TemplateError(f"circular reference through {logical_id}")
        self._resolving.add(logical_id)
        try:
            value = self._compute_physical_id(logical_id)
        finally:
            self._resolving.discard(logical_id)
        self._physical[logical_id] = value
        return value

    def _name_property(self, logical_id: str, key: str) -> str | None:
        raw = (self.resources[logical_id].get("Properties") or {}).get(key)
        if raw is None:
            return None
        return str(self.resolve(raw))

    def _compute_physical_id(self, logical_id: str) -> str:
        kind = self.resources[logical_id].get("Type", "")
        region, account = self.region, self.account_id
        match kind:
            case "AWS::DynamoDB::Table":
                return self._name_property(logical_id, "TableName") or logical_id
            case "AWS::S3::Bucket":
                return self._name_property(logical_id, "BucketName") or f"{self.stack_name}-{logical_id}".lower()
            case "AWS::Serverless::Function" | "AWS::Lambda::Function":
                return self._name_property(logical_id, "FunctionName") or logical_id
            case "AWS::Serverless::StateMachine" | "AWS::StepFunctions::StateMachine":
                name = self.state_machine_name(logical_id)
                return f"arn:aws:states:{region}:{account}:stateMachine:{name}"
            case "AWS::Serverless::LayerVersion" | "AWS::Lambda::LayerVersion":
                name = self._name_property(logical_id, "LayerName") or logical_id
                return f"arn:aws:lambda:{region}:{account}:layer:{name}:1"
            case "AWS::Logs::LogGroup":
                return self._name_property(logical_id, "LogGroupName") or logical_id
            case "AWS::SES::EmailIdentity":
                return self._name_property(logical_id, "EmailIdentity") or logical_id
            case "AWS::Cognito::UserPool":
                return f"{region}_{logical_id}"
            case "AWS::Serverless::Api" | "AWS::ApiGateway::RestApi":
                return logical_id.lower()
            case "AWS::SQS::Queue":
                name = self.queue_name(logical_id)
                return f"https://sqs.{region}.amazonaws.com/{account}/{name}"
            case "AWS::SecretsManager::Secret":
                name = self._name_property(logical_id, "Name") or f"{self.stack_name}-{logical_id}"
                return f"arn:aws:secretsmanager:{region}:{account}:secret:{name}"
            case _:
                return logical_id

    def queue_name(self, logical_id: str) -> str:
        return self._name_property(logical_id, "QueueName") or f"{self.stack_name}-{logical_id}"

    def state_machine_name(self, logical_id: str) -> str:
        return (
            self._name_property(logical_id, "Name") or self._name_property(logical_id, "StateMachineName") or logical_id
        )

    def get_att(self, logical_id: str, attribute: str) -> Any:
        if logical_id not in self.resources:
            raise TemplateError(f"!GetAtt on unknown resource {logical_id}")
        kind = self.resources[logical_id].get("Type", "")
        name = self.physical_id(logical_id)
        region, account = self.region, self.account_id
        match kind, attribute:
            case (("AWS::Serverless::Function" | "AWS::Lambda::Function"), "Arn"):
                return f"arn:aws:lambda:{region}:{account}:function:{name}"
            case (("AWS::Serverless::StateMachine" | "AWS::StepFunctions::StateMachine"), "Arn"):
                return name
            case (("AWS::Serverless::StateMachine" | "AWS::StepFunctions::StateMachine"), "Name"):
                return self.state_machine_name(logical_id)
            case "AWS::DynamoDB::Table", "Arn":
                return f"arn:aws:dynamodb:{region}:{account}:table/{name}"
            case "AWS::DynamoDB::Table", "StreamArn":
                return f"arn:aws:dynamodb:{region}:{account}:table/{name}/stream/local"
            case "AWS::S3::Bucket", "Arn":
                return f"arn:aws:s3:::{name}"
            case "AWS::S3::Bucket", ("DomainName" | "RegionalDomainName"):
                return f"{name}.s3.amazonaws.com"
            case "AWS::Logs::LogGroup", "Arn":
                return f"arn:aws:logs:{region}:{account}:log-group:{name}:*"
            case "AWS::SQS::Queue", "Arn":
                return f"arn:aws:sqs:{region}:{account}:{self.queue_name(logical_id)}"
            case "AWS::SQS::Queue", "QueueName":
                return self.queue_name(logical_id)
            case "AWS::Cognito::UserPool", "Arn":
                return f"arn:aws:cognito-idp:{region}:{account}:userpool/{name}"
            case "AWS::Cognito::UserPool", "ProviderName":
                return f"cognito-idp.{region}.amazonaws.com/{name}"
            case _:
                return f"arn:aws:local:{region}:{account}:{logical_id}/{attribute}"

    def _pseudo(self, name: str) -> Any:
        match name:
            case "AWS::Region":
                return self.region
            case "AWS::AccountId":
                return self.account_id
            case "AWS::StackName":
                return self.stack_name
            case "AWS::StackId":
                return f"arn:aws:cloudformation:{self.region}:{self.account_id}:stack/{self.stack_name}/local"
            case "AWS::Partition":
                return "aws-cn" if self.region.startswith("cn-") else "aws"
            case "AWS::URLSuffix":
                return "amazonaws.com"
            case "AWS::NoValue":
                return NO_VALUE
            case "AWS::NotificationARNs":
                return []
        raise TemplateError(f"unknown pseudo parameter {name}")

    def ref(self, name: str) -> Any:
        if name.startswith("AWS::"):
            return self._pseudo(name)
        if name in self.parameters:
            return self.parameters[name]
        return self.physical_id(name)

    # ------------------------------------------------------------------ intrinsics
    def resolve(self, value: Any) -> Any:
        """Resolve every intrinsic function in ``value`` (a template fragment)."""
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self.ref(str(argument))
            if key == "Condition" and isinstance(argument, str):
                return self.condition(argument)
            if key.startswith("Fn::"):
                return self._function(key, argument)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def _function(self, key: str, argument: Any) -> Any:
        match key:
            case "Fn::GetAtt":
                parts = argument.split(".", 1) if isinstance(argument, str) else argument
                logical_id, attribute = self.resolve(parts)
                return self.get_att(str(logical_id), str(attribute))
            case "Fn::Sub":
                return self._sub(argument)
            case "Fn::If":
                condition, when_true, when_false = argument
                return self.resolve(when_true if self.condition(condition) else when_false)
            case "Fn::Equals":
                left, right = self.resolve(argument)
                return str(left) == str(right)
            case "Fn::Not":
                (inner,) = self.resolve(argument)
                return not inner
            case "Fn::And":
                return all(self.resolve(argument))
            case "Fn::Or":
                return any(self.resolve(argument))
            case "Fn::Join":
                delimiter, items = argument
                return str(delimiter).join(str(item) for item in self.resolve(items))
            case "Fn::Select":
                index, items = self.resolve(argument)
                return items[int(index)]
            case "Fn::Split":
                delimiter, text = self.resolve(argument)
                return str(text).split(str(delimiter))
            case "Fn::FindInMap":
                map_name, top, second = self.resolve(argument)
                return self.document["Mappings"][map_name][top][second]
            case "Fn::Base64":
                return base64.b64encode(str(self.resolve(argument)).encode()).decode()
            case "Fn::GetAZs":
                return [f"{self.region}{suffix}" for suffix in "abc"]
            case "Fn::Length":
                return len(self.resolve(argument))
            case "Fn::ToJsonString":
                return json.dumps(self.resolve(argument), ensure_ascii=False)
            case "Fn::ImportValue":
                raise TemplateError(f"Fn::ImportValue has no local meaning: {argument!r}")
        raise TemplateError(f"unsupported intrinsic {key}")

    def _sub(self, argument: Any) -> str:
        if isinstance(argument, list):
            text, variables = argument[0], self.resolve(argument[1])
        else:
            text, variables = argument, {}

        def replace(found: re.Match[str]) -> str:
            name = found.group(1).strip()
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return str(self.get_att(logical_id, attribute))
            return str(self.ref(name))

        return _SUB_VARIABLE.sub(replace, str(text))
