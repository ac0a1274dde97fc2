"""Create every AWS resource of the template in moto, as CloudFormation would.

`endpoint_url=None` talks to whatever boto3 reaches by default, so integration tests can provision
inside moto's in-process `mock_aws()` too.
"""

from __future__ import annotations

import json
import re
import secrets
import string
from collections import Counter
from collections.abc import Callable
from typing import Any

from devtools.stack.aws import aws_client
from devtools.stack.console import say_from
from devtools.template import REGION, LocalDeployment

Properties = dict[str, Any]
Clients = Callable[[str], Any]

# Handled by the function runtime and the gateway, not provisioned in moto.
LOCAL_RUNTIME_TYPES = frozenset(
    {"AWS::Serverless::Function", "AWS::Serverless::Api", "AWS::Serverless::LayerVersion"}
)
# Secrets Manager's length when a GenerateSecretString gives none.
DEFAULT_SECRET_LENGTH = 32


def _clients(endpoint_url: str | None) -> Clients:
    cache: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in cache:
            cache[service] = aws_client(service, endpoint_url)
        return cache[service]

    return client


def _dynamodb_table(clients: Clients, name: str, properties: Properties) -> None:
    dynamodb = clients("dynamodb")
    on_demand = properties.get("BillingMode", "PROVISIONED") == "PAY_PER_REQUEST"
    request: dict[str, Any] = {
        "TableName": name,
        "KeySchema": properties["KeySchema"],
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "BillingMode": "PAY_PER_REQUEST" if on_demand else "PROVISIONED",
    }
    if not on_demand:
        request["ProvisionedThroughput"] = properties["ProvisionedThroughput"]
    if "GlobalSecondaryIndexes" in properties:
        request["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
    if "LocalSecondaryIndexes" in properties:
        request["LocalSecondaryIndexes"] = properties["LocalSecondaryIndexes"]
    if "StreamSpecification" in properties:
        request["StreamSpecification"] = {"StreamEnabled": True, **properties["StreamSpecification"]}
    if "SSESpecification" in properties:
        request["SSESpecification"] = {
            ("Enabled" if key == "SSEEnabled" else key): value
            for key, value in properties["SSESpecification"].items()
        }
    if "DeletionProtectionEnabled" in properties:
        request["DeletionProtectionEnabled"] = properties["DeletionProtectionEnabled"]
    if "Tags" in properties:
        request["Tags"] = properties["Tags"]
    dynamodb.create_table(**request)
    ttl = properties.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled", False):
        dynamodb.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
        )
    recovery = properties.get("PointInTimeRecoverySpecification")
    if recovery and recovery.get("PointInTimeRecoveryEnabled", False):
        dynamodb.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )


def _s3_bucket(clients: Clients, name: str, properties: Properties) -> None:
    s3 = clients("s3")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    if "VersioningConfiguration" in properties:
        s3.put_bucket_versioning(
            Bucket=name, VersioningConfiguration={"Status": properties["VersioningConfiguration"]["Status"]}
        )
    if "PublicAccessBlockConfiguration" in properties:
        s3.put_public_access_block(
            Bucket=name, PublicAccessBlockConfiguration=properties["PublicAccessBlockConfiguration"]
        )
    if "BucketEncryption" in properties:
        rules = [
            {
                (
                    "ApplyServerSideEncryptionByDefault" if key == "ServerSideEncryptionByDefault" else key
                ): value
                for key, value in rule.items()
            }
            for rule in properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        ]
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
    if "OwnershipControls" in properties:
        s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=properties["OwnershipControls"])


def _attribute(value: Any) -> str:
    """An SQS/SNS attribute value: booleans in lower case, policies as JSON."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def _sqs_queue(clients: Clients, name: str, properties: Properties) -> None:
    attributes = {
        key: _attribute(value) for key, value in properties.items() if key not in ("QueueName", "Tags")
    }
    clients("sqs").create_queue(QueueName=name, Attributes=attributes)


def _sns_topic(clients: Clients, name: str, properties: Properties) -> None:
    sns = clients("sns")
    attributes = {
        key: _attribute(properties[key])
        for key in ("DisplayName", "FifoTopic", "ContentBasedDeduplication")
        if key in properties
    }
    topic_arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
    for subscription in properties.get("Subscription", []):
        sns.subscribe(
            TopicArn=topic_arn, Protocol=subscription["Protocol"], Endpoint=subscription["Endpoint"]
        )


def generate_secret_string(options: Properties) -> str:
    """A random value as Secrets Manager's GenerateSecretString makes it."""
    alphabet = ""
    if not options.get("ExcludeLowercase", False):
        alphabet += string.ascii_lowercase
    if not options.get("ExcludeUppercase", False):
        alphabet += string.ascii_uppercase
    if not options.get("ExcludeNumbers", False):
        alphabet += string.digits
    if not options.get("ExcludePunctuation", False):
        alphabet += string.punctuation  # the same 32 characters Secrets Manager uses
    if options.get("IncludeSpace", False):
        alphabet += " "
    excluded = set(options.get("ExcludeCharacters", ""))
    alphabet = "".join(character for character in alphabet if character not in excluded)
    length = int(options.get("PasswordLength", DEFAULT_SECRET_LENGTH))
    value = "".join(secrets.choice(alphabet) for _ in range(length))
    template, key = options.get("SecretStringTemplate"), options.get("GenerateStringKey")
    if template is not None and key is not None:
        return json.dumps({**json.loads(template), key: value})
    return value


def _secret(clients: Clients, name: str, properties: Properties) -> None:
    if "SecretString" in properties:
        value = properties["SecretString"]
    else:
        value = generate_secret_string(properties.get("GenerateSecretString", {}))
    request: dict[str, Any] = {"Name": name, "SecretString": value}
    if "Description" in properties:
        request["Description"] = properties["Description"]
    clients("secretsmanager").create_secret(**request)


def _email_identity(clients: Clients, name: str, properties: Properties) -> None:
    identity = properties["EmailIdentity"]
    if "@" in identity:
        clients("ses").verify_email_identity(EmailAddress=identity)
    else:
        clients("ses").verify_domain_identity(Domain=identity)
    clients("sesv2").create_email_identity(EmailIdentity=identity)


def _configuration_set(clients: Clients, name: str, properties: Properties) -> None:
    clients("ses").create_configuration_set(ConfigurationSet={"Name": properties.get("Name", name)})


def _configuration_set_event_destination(clients: Clients, name: str, properties: Properties) -> None:
    destination = properties["EventDestination"]
    request: dict[str, Any] = {
        "Name": destination.get("Name", name),
        "Enabled": destination.get("Enabled", True),
        "MatchingEventTypes": destination["MatchingEventTypes"],
    }
    if "SnsDestination" in destination:
        request["SNSDestination"] = {"TopicARN": destination["SnsDestination"]["TopicARN"]}
    clients("ses").create_configuration_set_event_destination(
        ConfigurationSetName=properties["ConfigurationSetName"], EventDestination=request
    )


def _schedule_group(clients: Clients, name: str, properties: Properties) -> None:
    clients("scheduler").create_schedule_group(Name=name)


def _log_group(clients: Clients, name: str, properties: Properties) -> None:
    clients("logs").create_log_group(logGroupName=name)
    if "RetentionInDays" in properties:
        clients("logs").put_retention_policy(
            logGroupName=name, retentionInDays=int(properties["RetentionInDays"])
        )


PROVISIONERS: dict[str, Callable[[Clients, str, Properties], None]] = {
    "AWS::DynamoDB::Table": _dynamodb_table,
    "AWS::S3::Bucket": _s3_bucket,
    "AWS::SQS::Queue": _sqs_queue,
    "AWS::SNS::Topic": _sns_topic,
    "AWS::SecretsManager::Secret": _secret,
    "AWS::SES::EmailIdentity": _email_identity,
    "AWS::SES::ConfigurationSet": _configuration_set,
    "AWS::SES::ConfigurationSetEventDestination": _configuration_set_event_destination,
    "AWS::Scheduler::ScheduleGroup": _schedule_group,
    "AWS::Logs::LogGroup": _log_group,
}


def _references(value: Any) -> set[str]:
    """Logical ids that `value` refers to through Ref, Fn::GetAtt or Fn::Sub."""
    if isinstance(value, list):
        return set().union(*(_references(item) for item in value))
    if not isinstance(value, dict):
        return set()
    if set(value) == {"Ref"}:
        return {value["Ref"]}
    if set(value) == {"Fn::GetAtt"}:
        return {value["Fn::GetAtt"][0]}
    if set(value) == {"Fn::Sub"}:
        text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
        return {name.split(".", 1)[0] for name in re.findall(r"\$\{([^}!]+)\}", text)} | _references(
            value["Fn::Sub"][1:] if isinstance(value["Fn::Sub"], list) else []
        )
    return set().union(*(_references(item) for item in value.values()))


def creation_order(resources: dict[str, dict[str, Any]]) -> list[str]:
    """Logical ids with every resource after those it refers to, as CloudFormation creates them."""
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(logical_id: str) -> None:
        if logical_id in ordered or logical_id in visiting:
            return
        visiting.add(logical_id)
        resource = resources[logical_id]
        depends_on = resource.get("DependsOn", [])
        references = _references(resource.get("Properties", {})) | set(
            [depends_on] if isinstance(depends_on, str) else depends_on
        )
        for reference in sorted(references & resources.keys()):
            visit(reference)
        ordered.append(logical_id)

    for logical_id in resources:
        visit(logical_id)
    return ordered


def provision_resources(deployment: LocalDeployment, endpoint_url: str | None) -> dict[str, int]:
    """Create the template's resources under their local names (`deployment.ref`); answer how many
    of each type are not provisioned locally (alarms, keys, roles: what only a deployment has).
    A resource whose Condition is false for these parameters is not created, as in CloudFormation."""
    clients = _clients(endpoint_url)
    resources = deployment.resources
    not_local: Counter[str] = Counter()
    for logical_id in creation_order(resources):
        resource = resources[logical_id]
        resource_type = resource.get("Type", "")
        if "Condition" in resource and not deployment.condition(resource["Condition"]):
            continue
        provisioner = PROVISIONERS.get(resource_type)
        if provisioner is None:
            if resource_type not in LOCAL_RUNTIME_TYPES:
                not_local[resource_type] += 1
            continue
        properties = deployment.resolve(resource.get("Properties", {}))
        name = deployment.physical_name(logical_id)
        if resource_type == "AWS::Logs::LogGroup":
            name = deployment.ref(logical_id)
        provisioner(clients, name, properties)
    if not_local:
        say_from("provision", f"not provisioned locally: {not_provisioned(not_local)}")
    return dict(not_local)


def not_provisioned(counts: dict[str, int]) -> str:
    """`54 CloudWatch::Alarm, 1 KMS::Key`: what the local stack leaves out, by type."""
    return ", ".join(
        f"{count} {resource_type.removeprefix('AWS::')}" for resource_type, count in sorted(counts.items())
    )
