"""Read `template.yaml` and resolve its intrinsic functions for a local (moto) deployment.

The local stack, the tests and the benchmarks all take resources, routes and environment variables
from the template through this module, so there is one source of truth for what is deployed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = ROOT / "template.yaml"

REGION = "eu-west-1"
ACCOUNT_ID = "123456789012"
# what `!Ref AWS::NoValue` resolves to: the key or item that holds it is left out
NO_VALUE = object()


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns `!Ref x` into `{"Ref": x}` and `!Sub x` into `{"Fn::Sub": x}`."""


def _construct_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{tag_suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        document: dict[str, Any] = yaml.load(handle, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
    return document


@dataclass(frozen=True)
class Route:
    """One API event of a function: method and path as API Gateway declares them."""

    function: str
    method: str
    path: str
    public: bool


@dataclass(frozen=True)
class Schedule:
    """A schedule event declared on a function (rate or cron expression)."""

    function: str
    name: str
    expression: str
    input: str | None


@dataclass
class LocalDeployment:
    """The template resolved for a local deployment: physical names, ARNs and parameter values."""

    template: dict[str, Any]
    stack_name: str = "invoicing-local"
    parameter_overrides: dict[str, str] = field(default_factory=dict)
    base_dir: Path = ROOT  # CodeUri and ContentUri are relative to the template's directory, as in SAM

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return dict(self.template.get("Resources", {}))

    def resources_of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {name: res for name, res in self.resources.items() if res.get("Type") == resource_type}

    def parameter(self, name: str) -> str:
        if name in self.parameter_overrides:
            return self.parameter_overrides[name]
        declared = self.template.get("Parameters", {}).get(name)
        if declared is None:
            raise KeyError(f"template.yaml declares no parameter {name}")
        return str(declared.get("Default", ""))

    def physical_name(self, logical_id: str) -> str:
        """The name a resource gets locally; lower-case so that it is also a valid bucket name.

        FIFO queues and topics get the `.fifo` suffix AWS requires of their names.
        """
        name = f"{self.stack_name}-{logical_id}".lower()
        resource = self.resources.get(logical_id, {})
        properties = resource.get("Properties", {})
        if properties.get("FifoQueue") is True or properties.get("FifoTopic") is True:
            name += ".fifo"
        return name

    def arn(self, logical_id: str) -> str:
        resource_type = self.resources[logical_id]["Type"]
        name = self.physical_name(logical_id)
        match resource_type:
            case "AWS::DynamoDB::Table":
                return f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{name}"
            case "AWS::S3::Bucket":
                return f"arn:aws:s3:::{name}"
            case "AWS::SQS::Queue":
                return f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{name}"
            case "AWS::Serverless::Function" | "AWS::Lambda::Function":
                return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"
            case "AWS::SecretsManager::Secret":
                return f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:{name}"
            case "AWS::SNS::Topic":
                return f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:{name}"
            case "AWS::IAM::Role":
                return f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"
            case "AWS::Scheduler::ScheduleGroup":
                return f"arn:aws:scheduler:{REGION}:{ACCOUNT_ID}:schedule-group/{name}"
            case _:
                return f"arn:aws:local:{REGION}:{ACCOUNT_ID}:{name}"

    def queue_url(self, logical_id: str) -> str:
        return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{self.physical_name(logical_id)}"

    def ref(self, name: str) -> str:
        """`!Ref` locally. A secret's Ref is its name: AWS APIs accept a name wherever they take its ARN."""
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": self.stack_name,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.template.get("Parameters", {}):
            return self.parameter(name)
        if name not in self.resources and (aliased := self.aliased_function(name)):
            function, alias = aliased
            return f"{self.arn(function)}:{alias}"
        resource_type = self.resources[name]["Type"]
        if resource_type == "AWS::SQS::Queue":
            return self.queue_url(name)
        if resource_type == "AWS::SNS::Topic":
            return self.arn(name)
        log_group_name = self.resources[name].get("Properties", {}).get("LogGroupName")
        if resource_type == "AWS::Logs::LogGroup" and log_group_name is not None:
            return str(self.resolve(log_group_name))
        return self.physical_name(name)

    def aliased_function(self, logical_id: str) -> tuple[str, str] | None:
        """The function and alias name of SAM's generated `<Function>Alias<alias>` (AutoPublishAlias)."""
        for function in self.functions:
            alias = self.function_properties(function).get("AutoPublishAlias")
            if alias and logical_id == f"{function}Alias{alias}":
                return function, str(alias)
        return None

    def get_att(self, logical_id: str, attribute: str) -> str:
        if attribute == "Arn":
            return self.arn(logical_id)
        if attribute == "QueueName":
            return self.physical_name(logical_id)
        if attribute == "QueueUrl":
            return self.queue_url(logical_id)
        raise KeyError(f"Fn::GetAtt {logical_id}.{attribute} has no local value")

    def resolve(self, value: Any) -> Any:
        """Resolve Ref, Fn::GetAtt, Fn::Sub, Fn::Join and Fn::If to plain data; a value that is
        `!Ref AWS::NoValue` leaves its key or list item out, as CloudFormation does."""
        if isinstance(value, list):
            return [resolved for item in value if (resolved := self.resolve(item)) is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if value == {"Ref": "AWS::NoValue"}:
            return NO_VALUE
        if set(value) == {"Ref"}:
            return self.ref(value["Ref"])
        if set(value) == {"Fn::If"}:
            condition, when_true, when_false = value["Fn::If"]
            return self.resolve(when_true if self.condition(condition) else when_false)
        if set(value) == {"Fn::GetAtt"}:
            logical_id, attribute = value["Fn::GetAtt"]
            return self.get_att(logical_id, attribute)
        if set(value) == {"Fn::Sub"}:
            return self._sub(value["Fn::Sub"])
        if set(value) == {"Fn::Join"}:
            separator, parts = value["Fn::Join"]
            return separator.join(str(self.resolve(part)) for part in parts)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def condition(self, name: str) -> bool:
        """A condition of the template's Conditions section, for these parameter values."""
        return self._holds(self.template.get("Conditions", {})[name])

    def _holds(self, spec: dict[str, Any]) -> bool:
        ((function, arguments),) = spec.items()
        match function:
            case "Condition" | "Fn::Condition":
                return self.condition(arguments)
            case "Fn::Equals":
                left, right = (str(self.resolve(argument)) for argument in arguments)
                return left == right
            case "Fn::Not":
                return not self._holds(arguments[0])
            case "Fn::And":
                return all(self._holds(argument) for argument in arguments)
            case "Fn::Or":
                return any(self._holds(argument) for argument in arguments)
        raise KeyError(f"condition function {function} has no local value")

    def _sub(self, spec: str | list[Any]) -> str:
        text, variables = (spec, {}) if isinstance(spec, str) else (spec[0], spec[1])

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(self.resolve(variables[name]))
            if "." in name:
                logical_id, attribute = name.split(".", 1)
                return self.get_att(logical_id, attribute)
            return self.ref(name)

        return re.sub(r"\$\{([^}!]+)\}", replace, text)

    # --- functions -------------------------------------------------------------------------------

    @property
    def functions(self) -> dict[str, dict[str, Any]]:
        return self.resources_of_type("AWS::Serverless::Function")

    def function_properties(self, logical_id: str) -> dict[str, Any]:
        """A function's properties with the template's Globals applied, as SAM does: environment
        variables merged (the function's win), layers concatenated (Globals' first), the rest replaced."""
        merged: dict[str, Any] = dict(self.template.get("Globals", {}).get("Function", {}))
        own = self.functions[logical_id].get("Properties", {})
        for key, value in own.items():
            if key == "Environment":
                variables = dict(merged.get("Environment", {}).get("Variables", {}))
                variables.update(value.get("Variables", {}))
                merged["Environment"] = {"Variables": variables}
            elif key == "Layers":
                merged["Layers"] = [*merged.get("Layers", []), *value]
            else:
                merged[key] = value
        return merged

    def function_directory(self, logical_id: str) -> Path:
        return self.base_dir / str(self.function_properties(logical_id)["CodeUri"])

    def function_layer_directories(self, logical_id: str) -> list[Path]:
        """The source directories of the function's layers declared in this template (`!Ref Layer`)."""
        directories = []
        for layer in self.function_properties(logical_id).get("Layers", []):
            if isinstance(layer, dict) and set(layer) == {"Ref"} and layer["Ref"] in self.resources:
                directories.append(self.base_dir / self.resources[layer["Ref"]]["Properties"]["ContentUri"])
        return directories

    def function_environment(self, logical_id: str) -> dict[str, str]:
        variables = self.function_properties(logical_id).get("Environment", {}).get("Variables", {})
        return {name: str(self.resolve(value)) for name, value in variables.items()}

    def function_by_name(self, name: str) -> str:
        """Find a function by logical id, by its code directory name or by its local physical name."""
        for logical_id in self.functions:
            code_dir = Path(self.function_properties(logical_id)["CodeUri"]).name
            if name in (logical_id, code_dir, self.physical_name(logical_id)):
                return logical_id
        raise KeyError(f"template.yaml has no function called {name!r}")

    def routes(self) -> list[Route]:
        routes = []
        for logical_id in self.functions:
            for event in self.function_properties(logical_id).get("Events", {}).values():
                if event.get("Type") != "Api":
                    continue
                properties = event["Properties"]
                authorizer = properties.get("Auth", {}).get("Authorizer")
                routes.append(
                    Route(
                        function=logical_id,
                        method=properties["Method"].upper(),
                        path=properties["Path"],
                        public=authorizer == "NONE",
                    )
                )
        return routes

    def schedules(self) -> list[Schedule]:
        schedules = []
        for logical_id in self.functions:
            for name, event in self.function_properties(logical_id).get("Events", {}).items():
                if event.get("Type") not in ("Schedule", "ScheduleV2"):
                    continue
                properties = event["Properties"]
                if properties.get("Enabled", True) is False or properties.get("State") == "DISABLED":
                    continue
                schedules.append(
                    Schedule(
                        function=logical_id,
                        name=name,
                        expression=properties.get("ScheduleExpression") or properties["Schedule"],
                        input=properties.get("Input"),
                    )
                )
        return schedules

    # --- API -------------------------------------------------------------------------------------

    @property
    def api_properties(self) -> dict[str, Any]:
        apis = self.resources_of_type("AWS::Serverless::Api")
        (api,) = apis.values()
        return dict(api["Properties"])

    def authorizer_function(self) -> tuple[str, list[str], int]:
        """The default REQUEST authorizer: its function, identity headers and cache TTL in seconds."""
        auth = self.api_properties["Auth"]
        authorizer = auth["Authorizers"][auth["DefaultAuthorizer"]]
        function_arn = authorizer["FunctionArn"]
        if "Ref" in function_arn:
            aliased = self.aliased_function(function_arn["Ref"])
            function = aliased[0] if aliased else function_arn["Ref"]
        else:
            function = function_arn["Fn::GetAtt"][0]
        identity = authorizer.get("Identity", {})
        return function, list(identity.get("Headers", [])), int(identity.get("ReauthorizeEvery", 300))

    def binary_media_types(self) -> list[str]:
        return [media.replace("~1", "/") for media in self.api_properties.get("BinaryMediaTypes", [])]

    def gateway_responses(self) -> dict[str, dict[str, Any]]:
        return dict(self.api_properties.get("GatewayResponses", {}))


def local_deployment(
    parameter_overrides: dict[str, str] | None = None, template_path: Path = TEMPLATE_PATH
) -> LocalDeployment:
    return LocalDeployment(
        template=load_template(template_path),
        parameter_overrides=parameter_overrides or {},
        base_dir=template_path.resolve().parent,
    )
