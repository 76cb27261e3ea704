"""Read template.yaml the way CloudFormation and SAM would, for the local stack.

The local stack has no second list of resources: everything it creates comes from
template.yaml. This module loads the YAML (including the CloudFormation short tags
such as ``!Ref`` and ``!Sub``), resolves intrinsic functions for the local account,
applies SAM ``Globals`` to each serverless resource and derives the API routes from
the functions' ``Api`` events.

Physical names follow one rule so that ``!Ref`` and ``!GetAtt`` agree with what the
provisioner creates: an explicit name property wins (``TableName``, ``FunctionName``,
``Name``...), otherwise the logical ID (lower-cased and prefixed with the stack name
for S3 buckets, whose names must be lower case).
"""

from __future__ import annotations

import base64
import copy
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

LOCAL_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
DEFAULT_STACK_NAME = "oa-local"

_SHORT_TAGS = (
    "Base64",
    "Cidr",
    "FindInMap",
    "GetAZs",
    "ImportValue",
    "Join",
    "Select",
    "Split",
    "Sub",
    "Transform",
    "If",
    "Equals",
    "Not",
    "And",
    "Or",
    "Length",
    "ToJsonString",
)


class TemplateError(Exception):
    """The template uses something the local stack cannot resolve."""


class CfnLoader(yaml.SafeLoader):
    """A YAML loader that turns CloudFormation short tags into their long form."""


def _construct_node(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    raise TemplateError(f"unsupported YAML node {node!r}")  # pragma: no cover


def _long_form(name: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        return {name: _construct_node(loader, node)}

    return construct


def _construct_getatt(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
    value = _construct_node(loader, node)
    if isinstance(value, str):
        logical_id, _, attribute = value.partition(".")
        value = [logical_id, attribute]
    return {"Fn::GetAtt": value}


CfnLoader.add_constructor("!Ref", _long_form("Ref"))
CfnLoader.add_constructor("!Condition", _long_form("Condition"))
CfnLoader.add_constructor("!GetAtt", _construct_getatt)
for _tag in _SHORT_TAGS:
    CfnLoader.add_constructor(f"!{_tag}", _long_form(f"Fn::{_tag}"))


def load_yaml(path: Path) -> dict[str, Any]:
    """Parse a CloudFormation/SAM template file into plain dicts and lists."""
    with path.open(encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=CfnLoader)  # noqa: S506 - CfnLoader is a SafeLoader
    if not isinstance(document, dict):
        raise TemplateError(f"{path} is not a template")
    return document


class _NoValue:
    """``AWS::NoValue``: the property disappears."""


NO_VALUE = _NoValue()

_SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")


@dataclass(frozen=True)
class Route:
    """One API Gateway (REST) method from a function's ``Api`` event."""

    path: str
    method: str
    function_id: str
    authorized: bool
    binary_media_types: tuple[str, ...]
    pattern: re.Pattern[str] = field(compare=False, repr=False)

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """Path parameters when this route serves ``method path``, else None."""
        if self.method not in ("ANY", method.upper()):
            return None
        found = self.pattern.fullmatch(path)
        return None if found is None else dict(found.groupdict())

    @property
    def specificity(self) -> tuple[int, int, int, int]:
        """Sort key: static segments before parameters before greedy ``{proxy+}``."""
        greedy = self.path.count("+}")
        params = self.path.count("{")
        return (greedy, params, -len(self.path), 1 if self.method == "ANY" else 0)


def _route_pattern(path: str) -> re.Pattern[str]:
    parts: list[str] = []
    for piece in re.split(r"(\{[^}]+\})", path):
        if piece.startswith("{") and piece.endswith("}"):
            name = piece[1:-1]
            if name.endswith("+"):
                parts.append(f"(?P<{name[:-1]}>.+)")
            else:
                parts.append(f"(?P<{name}>[^/]+)")
        else:
            parts.append(re.escape(piece))
    return re.compile("".join(parts))


def _is_intrinsic(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1:
        return False
    (key,) = value
    return key in ("Ref", "Condition") or str(key).startswith("Fn::")


def _merge_globals(global_props: Mapping[str, Any], own: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's Globals rule: maps merge, lists add (globals first), scalars: the resource wins.

    An intrinsic function counts as a scalar, as in SAM.
    """
    merged: dict[str, Any] = copy.deepcopy(dict(global_props))
    for key, value in own.items():
        current = merged.get(key)
        if (
            isinstance(current, dict)
            and isinstance(value, dict)
            and not _is_intrinsic(current)
            and not _is_intrinsic(value)
        ):
            merged[key] = _merge_globals(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            merged[key] = current + copy.deepcopy(value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


class Template:
    """A template with parameters chosen, ready to resolve intrinsics locally."""

    def __init__(
        self,
        document: Mapping[str, Any],
        *,
        base_dir: Path,
        parameter_overrides: Mapping[str, str] | None = None,
        region: str | None = None,
        account_id: str = LOCAL_ACCOUNT_ID,
        stack_name: str = DEFAULT_STACK_NAME,
    ) -> None:
        self.document = dict(document)
        self.base_dir = base_dir
        self.region = region or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
        self.account_id = account_id
        self.stack_name = stack_name
        self.parameters = self._choose_parameters(parameter_overrides or {})
        self._resolving: set[str] = set()
        self._physical: dict[str, str] = {}
        self._condition_values: dict[str, bool] = {}
        self.resources: dict[str, dict[str, Any]] = self._apply_globals()

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_file(
        cls,
        path: Path,
        *,
        parameter_overrides: Mapping[str, str] | None = None,
        region: str | None = None,
        stack_name: str = DEFAULT_STACK_NAME,
    ) -> Template:
        return cls(
            load_yaml(path),
            base_dir=path.parent,
            parameter_overrides=parameter_overrides,
            region=region,
            stack_name=stack_name,
        )

    def _choose_parameters(self, overrides: Mapping[str, str]) -> dict[str, str]:
        declared: dict[str, Any] = self.document.get("Parameters", {}) or {}
        unknown = set(overrides) - set(declared)
        if unknown:
            raise TemplateError(f"unknown parameter(s): {', '.join(sorted(unknown))}")
        chosen: dict[str, str] = {}
        for name, spec in declared.items():
            if name in overrides:
                value: Any = overrides[name]
            elif "Default" in spec:
                value = spec["Default"]
            else:
                raise TemplateError(f"parameter {name} has no default and no override")
            allowed = spec.get("AllowedValues")
            if allowed is not None and str(value) not in {str(v) for v in allowed}:
                raise TemplateError(f"parameter {name}={value!r} is not one of {allowed}")
            chosen[name] = str(value)
        return chosen

    def _apply_globals(self) -> dict[str, dict[str, Any]]:
        globals_section: dict[str, Any] = self.document.get("Globals", {}) or {}
        resources: dict[str, dict[str, Any]] = {}
        for logical_id, resource in (self.document.get("Resources") or {}).items():
            resource = copy.deepcopy(resource)
            kind = resource.get("Type", "")
            if kind.startswith("AWS::Serverless::"):
                section = globals_section.get(kind.removeprefix("AWS::Serverless::"))
                if section:
                    resource["Properties"] = _merge_globals(section, resource.get("Properties") or {})
            resources[logical_id] = resource
        return resources

    # ------------------------------------------------------------------ queries
    def resources_of_type(self, *kinds: str) -> dict[str, dict[str, Any]]:
        """Resources of the given types whose Condition holds, in template order."""
        return {
            logical_id: resource
            for logical_id, resource in self.resources.items()
            if resource.get("Type") in kinds and self.resource_enabled(logical_id)
        }

    def resource_enabled(self, logical_id: str) -> bool:
        condition = self.resources[logical_id].get("Condition")
        return True if condition is None else self.condition(condition)

    def properties(self, logical_id: str) -> dict[str, Any]:
        """The resource's properties with every intrinsic resolved."""
        resolved = self.resolve(self.resources[logical_id].get("Properties") or {})
        return resolved if isinstance(resolved, dict) else {}

    def condition(self, name: str) -> bool:
        if name not in self._condition_values:
            conditions = self.document.get("Conditions") or {}
            if name not in conditions:
                raise TemplateError(f"unknown condition {name}")
            self._condition_values[name] = bool(self.resolve(conditions[name]))
        return self._condition_values[name]

    def function_environment(self, logical_id: str) -> dict[str, str]:
        variables = (self.properties(logical_id).get("Environment") or {}).get("Variables") or {}
        return {str(key): _as_env_string(value) for key, value in variables.items()}

    def routes(self) -> list[Route]:
        """API routes from every function's ``Api`` events, most specific first."""
        routes: list[Route] = []
        functions = self.resources_of_type("AWS::Serverless::Function")
        for function_id in functions:
            events = self.properties(function_id).get("Events") or {}
            for event in events.values():
                if event.get("Type") != "Api":
                    continue
                props = event.get("Properties") or {}
                api_props = self._api_properties(props.get("RestApiId"))
                default_authorizer = (api_props.get("Auth") or {}).get("DefaultAuthorizer")
                authorizer = (props.get("Auth") or {}).get("Authorizer", default_authorizer)
                binary_types = tuple(str(t).replace("~1", "/") for t in api_props.get("BinaryMediaTypes") or ())
                path = str(props["Path"])
                routes.append(
                    Route(
                        path=path,
                        method=str(props["Method"]).upper(),
                        function_id=function_id,
                        authorized=authorizer not in (None, "NONE", "AWS_IAM"),
                        binary_media_types=binary_types,
                        pattern=_route_pattern(path),
                    )
                )
        return sorted(routes, key=lambda route: route.specificity)

    def _api_properties(self, rest_api_id: Any) -> dict[str, Any]:
        """Properties of the event's Api (after RestApiId resolution), or the implicit one."""
        if rest_api_id is None:
            globals_api = (self.document.get("Globals") or {}).get("Api") or {}
            resolved = self.resolve(globals_api)
            return resolved if isinstance(resolved, dict) else {}
        for logical_id in self.resources_of_type("AWS::Serverless::Api"):
            if self.physical_id(logical_id) == rest_api_id:
                return self.properties(logical_id)
        raise TemplateError(f"RestApiId {rest_api_id!r} names no AWS::Serverless::Api")

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
                return "aws"
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


def _as_env_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
