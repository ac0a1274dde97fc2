"""Every resource of template.yaml is created in moto, also inside moto's in-process mock."""

from __future__ import annotations

import string
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from devtools.stack.provision import creation_order, generate_secret_string, provision_resources
from devtools.template import REGION, LocalDeployment, local_deployment


@pytest.fixture
def deployment() -> Iterator[LocalDeployment]:
    with mock_aws():
        deployment = local_deployment()
        provision_resources(deployment, endpoint_url=None)
        yield deployment


def test_tables_are_created_with_keys_and_ttl(deployment: LocalDeployment) -> None:
    dynamodb = boto3.client("dynamodb", region_name=REGION)

    table = dynamodb.describe_table(TableName=deployment.ref("InvoicingTable"))["Table"]
    ttl = dynamodb.describe_time_to_live(TableName=deployment.ref("IdempotencyTable"))[
        "TimeToLiveDescription"
    ]

    assert [key["AttributeName"] for key in table["KeySchema"]] == ["pk", "sk"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expiration"}


def test_the_bucket_is_versioned_and_private(deployment: LocalDeployment) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    bucket = deployment.ref("DocumentsBucket")

    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())


def test_the_signing_secret_is_generated_as_declared(deployment: LocalDeployment) -> None:
    secrets = boto3.client("secretsmanager", region_name=REGION)

    value = secrets.get_secret_value(SecretId=deployment.ref("TokenSigningSecret"))["SecretString"]

    assert len(value) == 64
    assert set(value) <= set(string.ascii_letters + string.digits)


def test_the_sender_identity_can_send_in_ses_v1_and_v2(deployment: LocalDeployment) -> None:
    sender = deployment.parameter("SenderEmail")
    destination = {"ToAddresses": ["someone@example.org"]}

    boto3.client("ses", region_name=REGION).send_email(
        Source=sender,
        Destination=destination,
        Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}},
    )
    boto3.client("sesv2", region_name=REGION).send_email(
        FromEmailAddress=sender,
        Destination=destination,
        Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}},
    )

    identities = boto3.client("sesv2", region_name=REGION).list_email_identities()["EmailIdentities"]
    assert [identity["IdentityName"] for identity in identities] == [sender]


def test_log_groups_get_their_declared_names(deployment: LocalDeployment) -> None:
    groups = boto3.client("logs", region_name=REGION).describe_log_groups()["logGroups"]

    declared = {deployment.ref(group) for group in deployment.resources_of_type("AWS::Logs::LogGroup")}
    assert {group["logGroupName"] for group in groups} == declared
    assert "/aws/lambda/invoicing-local-me" in declared


def test_queues_topics_and_schedule_groups() -> None:
    deployment = local_deployment()
    deployment.template["Resources"] = {
        "Jobs": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "FifoQueue": True,
                "VisibilityTimeout": 60,
                "RedrivePolicy": {
                    "deadLetterTargetArn": {"Fn::GetAtt": ["JobsDlq", "Arn"]},
                    "maxReceiveCount": 3,
                },
            },
        },
        "JobsDlq": {"Type": "AWS::SQS::Queue", "Properties": {"FifoQueue": True}},
        "Events": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "events"}},
        "Reminders": {"Type": "AWS::Scheduler::ScheduleGroup", "Properties": {}},
        "Mystery": {"Type": "AWS::Unknown::Thing", "Properties": {}},
    }
    with mock_aws():
        provision_resources(deployment, endpoint_url=None)
        sqs = boto3.client("sqs", region_name=REGION)
        attributes = sqs.get_queue_attributes(QueueUrl=deployment.ref("Jobs"), AttributeNames=["All"])[
            "Attributes"
        ]
        topics = boto3.client("sns", region_name=REGION).list_topics()["Topics"]
        groups = boto3.client("scheduler", region_name=REGION).list_schedule_groups()["ScheduleGroups"]

    assert attributes["FifoQueue"] == "true"
    assert attributes["VisibilityTimeout"] == "60"
    assert deployment.get_att("JobsDlq", "Arn") in attributes["RedrivePolicy"]
    assert topics == [{"TopicArn": deployment.ref("Events")}]
    assert deployment.physical_name("Reminders") in {group["Name"] for group in groups}


def test_resources_are_created_after_those_they_refer_to() -> None:
    resources = {
        "A": {"Type": "T", "Properties": {"X": {"Fn::GetAtt": ["B", "Arn"]}}},
        "B": {"Type": "T", "Properties": {"Y": {"Fn::Sub": "${C.Arn}/x"}}},
        "C": {"Type": "T", "DependsOn": "D"},
        "D": {"Type": "T", "Properties": {"Z": {"Ref": "Stage"}}},
    }

    assert creation_order(resources) == ["D", "C", "B", "A"]


def test_generated_secrets_follow_their_options() -> None:
    digits_only = generate_secret_string(
        {"PasswordLength": 20, "ExcludeLowercase": True, "ExcludeUppercase": True, "ExcludePunctuation": True}
    )
    templated = generate_secret_string(
        {
            "SecretStringTemplate": '{"user": "admin"}',
            "GenerateStringKey": "password",
            "ExcludeCharacters": "abc",
        }
    )

    assert len(digits_only) == 20
    assert digits_only.isdigit()
    assert templated.startswith('{"user": "admin", "password": ')
    assert not set("abc") & set(templated.split('"password": ')[1])
