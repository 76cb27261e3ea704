"""Read template.yaml the way CloudFormation and SAM would, for the local stack.

The local stack has no second list of resources: everything it creates comes from
template.yaml. This module is the model the provisioner and the gateway read: a `Template`
has its parameters chosen (overrides, defaults, ``AllowedValues``), SAM ``Globals`` applied to
each serverless resource, its resources queried by type and condition with their properties
resolved, each function's environment, and the API routes derived from the functions' ``Api``
events. Reading the YAML (short tags such as ``!Ref`` and ``!Sub``) is `template_yaml`'s,
resolving intrinsic functions and physical names is `intrinsics`'s, a route is `routes`'s;
their public names are importable from here too.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.local.intrinsics import NO_VALUE, Resolver, is_intrinsic
from infra.local.routes import Authorizer, GatewayResponse, Route, route_pattern
from infra.local.template_yaml import CfnLoader, TemplateError, load_yaml

__all__ = [
    "DEFAULT_REGION",
    "DEFAULT_STACK_NAME",
    "LOCAL_ACCOUNT_ID",
    "LOCAL_PARTITION",
    "NO_VALUE",
    "CfnLoader",
    "Route",
    "StateMachineDefinition",
    "Template",
    "TemplateError",
    "load_yaml",
    "partition_of",
]

LOCAL_ACCOUNT_ID = "123456789012"
LOCAL_PARTITION = "aws"
"""moto's partition: the local stack's ARNs; infra.checks renders the definitions for aws-cn too."""
DEFAULT_REGION = "us-east-1"


def partition_of(region: str) -> str:
    """The partition a region belongs to: ``aws-cn`` for the China regions, else the local one."""
    return "aws-cn" if region.startswith("cn-") else LOCAL_PARTITION


DEFAULT_STACK_NAME = "oa-local"

_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True)
class StateMachineDefinition:
    """A state machine's ASL as CloudFormation hands it to Step Functions: placeholders filled.

    ``unresolved`` are the ``${...}`` left in the text (no substitution names them) and ``unused``
    the substitutions the text never names; infra.checks.asl fails on either.
    """

    logical_id: str
    source: str
    text: str
    unresolved: tuple[str, ...]
    unused: tuple[str, ...]


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
            and not is_intrinsic(current)
            and not is_intrinsic(value)
        ):
            merged[key] = _merge_globals(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            merged[key] = current + copy.deepcopy(value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _choose_parameters(document: Mapping[str, Any], overrides: Mapping[str, str]) -> dict[str, str]:
    """Each declared parameter's value: the override, else its Default, and one of its AllowedValues."""
    declared: dict[str, Any] = document.get("Parameters", {}) or {}
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


def _apply_globals(document: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The resources, each serverless one with its type's section of SAM ``Globals`` merged in."""
    globals_section: dict[str, Any] = document.get("Globals", {}) or {}
    resources: dict[str, dict[str, Any]] = {}
    for logical_id, resource in (document.get("Resources") or {}).items():
        resource = copy.deepcopy(resource)
        kind = resource.get("Type", "")
        if kind.startswith("AWS::Serverless::"):
            section = globals_section.get(kind.removeprefix("AWS::Serverless::"))
            if section:
                resource["Properties"] = _merge_globals(section, resource.get("Properties") or {})
        resources[logical_id] = resource
    return resources


class Template(Resolver):
    """A template with parameters chosen and Globals applied, ready to resolve intrinsics locally."""

    def __init__(
        self,
        document: Mapping[str, Any],
        *,
        base_dir: Path,
        parameter_overrides: Mapping[str, str] | None = None,
        region: str | None = None,
        account_id: str = LOCAL_ACCOUNT_ID,
        stack_name: str = DEFAULT_STACK_NAME,
        partition: str | None = None,
    ) -> None:
        """``partition`` defaults to the region's: ``aws-cn`` for a ``cn-*`` region, else ``aws``."""
        document = dict(document)
        parameters = _choose_parameters(document, parameter_overrides or {})
        region = region or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
        super().__init__(
            document,
            _apply_globals(document),
            parameters,
            region=region,
            account_id=account_id,
            stack_name=stack_name,
            partition=partition or partition_of(region),
        )
        self.base_dir = base_dir

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_file(
        cls,
        path: Path,
        *,
        parameter_overrides: Mapping[str, str] | None = None,
        region: str | None = None,
        stack_name: str = DEFAULT_STACK_NAME,
        partition: str | None = None,
    ) -> Template:
        return cls(
            load_yaml(path),
            base_dir=path.parent,
            parameter_overrides=parameter_overrides,
            region=region,
            stack_name=stack_name,
            partition=partition,
        )

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

    def function_environment(self, logical_id: str) -> dict[str, str]:
        variables = (self.properties(logical_id).get("Environment") or {}).get("Variables") or {}
        return {str(key): _as_env_string(value) for key, value in variables.items()}

    def state_machine_definition(self, logical_id: str) -> StateMachineDefinition:
        """The ASL of a state machine with its ``DefinitionSubstitutions`` filled in, as CloudFormation
        fills them: each ``${Name}`` the map names becomes its resolved value, in one pass."""
        props = self.properties(logical_id)
        if "DefinitionUri" in props:
            uri = props["DefinitionUri"]
            if not isinstance(uri, str):
                raise TemplateError(f"{logical_id}: only a local DefinitionUri path can be read here")
            source, text = uri, (self.base_dir / uri).read_text(encoding="utf-8")
        elif "Definition" in props:
            source, text = f"{logical_id}.Definition", json.dumps(props["Definition"], ensure_ascii=False)
        elif "DefinitionString" in props:
            source, text = f"{logical_id}.DefinitionString", str(props["DefinitionString"])
        else:
            raise TemplateError(f"{logical_id} has no definition")
        declared = props.get("DefinitionSubstitutions") or {}
        substitutions = {str(key): _as_env_string(value) for key, value in declared.items()}
        named = {found.group(1) for found in _PLACEHOLDER.finditer(text)}
        filled = _PLACEHOLDER.sub(lambda found: substitutions.get(found.group(1), found.group(0)), text)
        return StateMachineDefinition(
            logical_id=logical_id,
            source=source,
            text=filled,
            unresolved=tuple(sorted(named - set(substitutions))),
            unused=tuple(sorted(set(substitutions) - named)),
        )

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
                        pattern=route_pattern(path),
                        authorizer=lambda_authorizer(api_props, str(authorizer)) if authorizer else None,
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


def lambda_authorizer(api_props: Mapping[str, Any], name: str) -> Authorizer | None:
    """The API's Lambda authorizer ``name`` (SAM ``Auth.Authorizers``), or None for another kind."""
    spec = ((api_props.get("Auth") or {}).get("Authorizers") or {}).get(name)
    if not isinstance(spec, dict) or not spec.get("FunctionArn"):
        return None
    identity = spec.get("Identity") or {}
    responses = {
        str(kind): GatewayResponse(
            status=int(response.get("StatusCode") or 0),
            body=next(iter((response.get("ResponseTemplates") or {}).values()), ""),
            headers=tuple(
                (str(header), str(value).strip("'"))
                for header, value in ((response.get("ResponseParameters") or {}).get("Headers") or {}).items()
            ),
        )
        for kind, response in (api_props.get("GatewayResponses") or {}).items()
    }
    return Authorizer(
        name=name,
        function_name=str(spec["FunctionArn"]).rpartition(":")[2],
        payload_type=str(spec.get("FunctionPayloadType") or "TOKEN").upper(),
        identity_header=str(identity.get("Header") or "Authorization"),
        ttl_seconds=int(identity.get("ReauthorizeEvery", 300)),
        responses=responses,
        stage=str(api_props.get("StageName") or "local"),
    )


def _as_env_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
