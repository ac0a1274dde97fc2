"""Operations in template.yaml: every function, queue and dead-letter queue has its alarms, the API its
5xx and latency alarms and its access log, API functions deploy as canaries, and every checkov finding
that is not fixed is suppressed with a reason."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from devtools.dead_letters import dead_letter_queues
from devtools.template import LocalDeployment, local_deployment

ASYNCHRONOUS_EVENTS = {"SNS", "S3", "Schedule", "ScheduleV2", "EventBridgeRule", "CloudWatchEvent"}
SCHEDULED_EVENTS = {"Schedule", "ScheduleV2"}
ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "tenant": "$context.authorizer.tenantId",
    "route": "$context.resourcePath",
    "status": "$context.status",
    "latencyMs": "$context.responseLatency",
    "integrationLatencyMs": "$context.integrationLatency",
}


@pytest.fixture(scope="module")
def deployment() -> LocalDeployment:
    return local_deployment()


@pytest.fixture(scope="module")
def alarms(deployment: LocalDeployment) -> dict[str, dict[str, Any]]:
    return {
        name: resource["Properties"]
        for name, resource in deployment.resources_of_type("AWS::CloudWatch::Alarm").items()
    }


def event_types(deployment: LocalDeployment, function: str) -> set[str]:
    events = deployment.function_properties(function).get("Events", {}).values()
    return {event["Type"] for event in events}


def metrics_of(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    """The metrics an alarm reads: its own, or those of its metric math."""
    if "MetricName" in alarm:
        return [alarm]
    return [query["MetricStat"]["Metric"] for query in alarm.get("Metrics", []) if "MetricStat" in query]


def watching(
    alarms: dict[str, dict[str, Any]], namespace: str, metric: str, dimension: tuple[str, Any]
) -> list[str]:
    """Alarms on `metric` of `namespace` with the dimension (name, value) among theirs."""
    name, value = dimension
    return [
        alarm_name
        for alarm_name, alarm in alarms.items()
        for watched in metrics_of(alarm)
        if watched["Namespace"] == namespace
        and watched["MetricName"] == metric
        and {"Name": name, "Value": value} in watched.get("Dimensions", [])
    ]


def test_every_function_has_an_errors_and_a_throttles_alarm(deployment, alarms):
    for function in deployment.functions:
        dimension = ("FunctionName", {"Ref": function})
        assert watching(alarms, "AWS/Lambda", "Errors", dimension), function
        assert watching(alarms, "AWS/Lambda", "Throttles", dimension), function


def test_every_dead_letter_queue_has_a_depth_and_an_age_alarm(deployment, alarms):
    queues = dead_letter_queues(deployment.resources)

    for queue in queues:
        dimension = ("QueueName", {"Fn::GetAtt": [queue, "QueueName"]})
        assert watching(alarms, "AWS/SQS", "ApproximateNumberOfMessagesVisible", dimension), queue
        assert watching(alarms, "AWS/SQS", "ApproximateAgeOfOldestMessage", dimension), queue
    assert {"DeliveryDeadLetterQueue", "SendScheduleDeadLetterQueue", "MailEventsDeadLetterQueue"} <= set(
        queues
    )


def test_the_scheduler_dead_letter_queue_goes_back_to_the_function_its_schedules_invoke(deployment):
    queues = dead_letter_queues(deployment.resources)

    assert queues["SendScheduleDeadLetterQueue"].function == "ScheduledSendFunction"
    assert queues["DeliveryDeadLetterQueue"].source_queue == "DeliveryQueue"


def test_every_queue_is_a_dead_letter_queue_or_a_watched_event_source(deployment, alarms):
    dead_letters = dead_letter_queues(deployment.resources)
    sources = {
        event["Properties"]["Queue"]["Fn::GetAtt"][0]
        for function in deployment.functions
        for event in deployment.function_properties(function).get("Events", {}).values()
        if event["Type"] == "SQS"
    }

    for queue, resource in deployment.resources_of_type("AWS::SQS::Queue").items():
        assert queue in dead_letters or queue in sources, f"{queue} is neither a DLQ nor an event source"
        if queue in sources:
            assert "RedrivePolicy" in resource["Properties"], queue
            dimension = ("QueueName", {"Fn::GetAtt": [queue, "QueueName"]})
            assert watching(alarms, "AWS/SQS", "ApproximateAgeOfOldestMessage", dimension), queue


def test_every_asynchronously_invoked_function_keeps_its_failed_events(deployment):
    for function in deployment.functions:
        if not event_types(deployment, function) & ASYNCHRONOUS_EVENTS:
            continue
        properties = deployment.function_properties(function)
        on_failure = properties.get("EventInvokeConfig", {}).get("DestinationConfig", {}).get("OnFailure")
        assert "DeadLetterQueue" in properties or on_failure, function


def test_every_schedule_sends_what_it_could_not_deliver_to_a_dead_letter_queue(deployment):
    queues = dead_letter_queues(deployment.resources)
    for function in deployment.functions:
        for name, event in deployment.function_properties(function).get("Events", {}).items():
            if event["Type"] == "ScheduleV2":
                arn = event["Properties"]["DeadLetterConfig"]["Arn"]
                assert arn["Fn::GetAtt"][0] in queues, f"{function} {name}"


def test_every_job_has_an_alarm_on_the_failures_it_counts(deployment, alarms):
    namespace = deployment.template["Globals"]["Function"]["Environment"]["Variables"][
        "POWERTOOLS_METRICS_NAMESPACE"
    ]
    for function in deployment.functions:
        if not event_types(deployment, function) & SCHEDULED_EVENTS:
            continue
        service = deployment.function_environment(function)["POWERTOOLS_SERVICE_NAME"]
        job_alarms = [
            alarm
            for alarm in alarms.values()
            for watched in metrics_of(alarm)
            if watched["Namespace"] == namespace
            and {"Name": "service", "Value": service} in watched["Dimensions"]
        ]
        assert job_alarms, function
        assert all(re.search(r"(Failed|Abandoned)$", alarm["MetricName"]) for alarm in job_alarms), function


def test_the_api_has_a_5xx_rate_and_a_p99_latency_alarm(deployment, alarms):
    stage = ("Stage", {"Ref": "Stage"})
    api_name = deployment.api_properties["Name"]

    (errors,) = watching(alarms, "AWS/ApiGateway", "5XXError", stage)
    (latency,) = watching(alarms, "AWS/ApiGateway", "Latency", stage)

    assert watching(alarms, "AWS/ApiGateway", "Count", stage) == [errors], "a rate: errors over requests"
    assert alarms[latency]["ExtendedStatistic"] == "p99"
    for alarm in (errors, latency):
        for watched in metrics_of(alarms[alarm]):
            assert {"Name": "ApiName", "Value": api_name} in watched["Dimensions"]


def test_ses_reputation_alarms_warn_and_alarm_below_where_ses_steps_in(deployment, alarms):
    parameters = deployment.template["Parameters"]
    thresholds = {}
    for alarm in alarms.values():
        for watched in metrics_of(alarm):
            if watched["Namespace"] == "AWS/SES":
                thresholds.setdefault(watched["MetricName"], set()).add(
                    float(parameters[alarm["Threshold"]["Ref"]]["Default"])
                )

    assert thresholds == {"Reputation.BounceRate": {2.0, 4.0}, "Reputation.ComplaintRate": {0.05, 0.08}}


def test_tables_have_throttle_alarms_and_the_invoicing_table_a_transaction_conflict_alarm(deployment, alarms):
    for table in deployment.resources_of_type("AWS::DynamoDB::Table"):
        dimension = ("TableName", {"Ref": table})
        assert watching(alarms, "AWS/DynamoDB", "ReadThrottleEvents", dimension), table
        assert watching(alarms, "AWS/DynamoDB", "WriteThrottleEvents", dimension), table
    assert watching(alarms, "AWS/DynamoDB", "TransactionConflict", ("TableName", {"Ref": "InvoicingTable"}))


def test_every_alarm_notifies_the_alarm_topic_at_a_threshold_that_is_a_parameter(deployment, alarms):
    parameters = deployment.template["Parameters"]
    for name, alarm in alarms.items():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        assert alarm["OKActions"] == [{"Ref": "AlarmTopic"}], name
        assert "Default" in parameters[alarm["Threshold"]["Ref"]], name


def test_the_alarm_topic_mails_the_address_of_a_parameter(deployment):
    subscriptions = deployment.resources_of_type("AWS::SNS::Subscription")
    mailing = [
        subscription
        for subscription in subscriptions.values()
        if subscription["Properties"]["TopicArn"] == {"Ref": "AlarmTopic"}
    ]

    assert [subscription["Properties"]["Protocol"] for subscription in mailing] == ["email"]
    assert mailing[0]["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert not deployment.condition(mailing[0]["Condition"]), "no subscription without an address"
    assert local_deployment({"AlarmEmail": "ops@example.com"}).condition(mailing[0]["Condition"])


def access_log_format(deployment: LocalDeployment) -> str:
    return str(deployment.api_properties["AccessLogSetting"]["Format"])


def test_the_access_log_is_json_with_the_request_tenant_route_status_and_latencies(deployment):
    text = access_log_format(deployment)
    # API Gateway fills each $context variable in; any value makes the line JSON
    record = json.loads(re.sub(r"(?<!\")\$context\.[A-Za-z.]+", "0", text))

    for field, variable in ACCESS_LOG_FIELDS.items():
        assert variable in str(record[field]) or f'"{field}":{variable}' in text, field


def test_the_access_log_holds_no_header_and_no_query_string(deployment):
    text = access_log_format(deployment).lower()

    for leak in ("authorization", "header", "querystring", "$input", "$context.path", "identity"):
        assert leak not in text, leak


def test_the_access_log_group_keeps_its_logs_for_the_retention(deployment):
    destination = deployment.api_properties["AccessLogSetting"]["DestinationArn"]
    (group,) = destination["Fn::GetAtt"][:1]

    assert deployment.resources[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_every_function_publishes_an_alias_and_api_functions_deploy_as_canaries(deployment, alarms):
    api_functions = {route.function for route in deployment.routes()}
    for function in deployment.functions:
        properties = deployment.function_properties(function)
        assert properties["AutoPublishAlias"] == "live", function
        if function not in api_functions:
            continue
        preference = properties["DeploymentPreference"]
        rollback = {alarm["Ref"] for alarm in preference["Alarms"]}
        assert preference["Type"].startswith("Canary"), function
        assert "Api5xxAlarm" in rollback, function
        assert set(watching(alarms, "AWS/Lambda", "Errors", ("FunctionName", {"Ref": function}))) & rollback


def test_the_delivery_worker_and_the_jobs_have_reserved_concurrency(deployment):
    for function in deployment.functions:
        events = deployment.function_properties(function).get("Events", {}).values()
        properties = deployment.function_properties(function)
        if any(event["Type"] == "SQS" for event in events):
            assert properties["ReservedConcurrentExecutions"] == {"Ref": "DeliveryWorkerConcurrency"}
            (sqs_event,) = [event for event in events if event["Type"] == "SQS"]
            assert sqs_event["Properties"]["ScalingConfig"]["MaximumConcurrency"] == {
                "Ref": "DeliveryWorkerConcurrency"
            }, "no more pollers than workers: a throttled message would count towards the DLQ"
        if event_types(deployment, function) & SCHEDULED_EVENTS:
            assert properties["ReservedConcurrentExecutions"] == {"Ref": "JobConcurrency"}, function


def test_customer_managed_keys_are_one_parameter_off_by_default(deployment):
    enabled = local_deployment({"CustomerManagedKeys": "Enabled"})
    encrypted = [
        *deployment.resources_of_type("AWS::DynamoDB::Table"),
        *deployment.resources_of_type("AWS::Logs::LogGroup"),
        *deployment.resources_of_type("AWS::SecretsManager::Secret"),
    ]

    assert deployment.template["Parameters"]["CustomerManagedKeys"]["Default"] == "Disabled"
    for logical_id in encrypted:
        by_default = json.dumps(deployment.resolve(deployment.resources[logical_id]["Properties"]))
        with_keys = json.dumps(enabled.resolve(enabled.resources[logical_id]["Properties"]))
        key = enabled.physical_name("ServiceKey")
        assert key not in by_default, logical_id
        assert key in with_keys, logical_id


def test_every_topic_and_queue_is_encrypted_with_the_service_key(deployment):
    for resource_type in ("AWS::SNS::Topic", "AWS::SQS::Queue"):
        for logical_id, resource in deployment.resources_of_type(resource_type).items():
            assert resource["Properties"]["KmsMasterKeyId"] == {"Ref": "ServiceKey"}, logical_id


def test_every_suppressed_scan_finding_says_why(deployment):
    suppressed = 0
    for logical_id, resource in deployment.resources.items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), logical_id
            assert len(skip.get("comment", "")) > 20, f"{logical_id} {skip['id']}"
            suppressed += 1
    assert suppressed > 0


def test_the_dashboard_body_is_json_once_its_references_are_filled_in(deployment):
    (dashboard,) = deployment.resources_of_type("AWS::CloudWatch::Dashboard").values()

    body = json.loads(deployment.resolve(dashboard["Properties"]["DashboardBody"]))

    titles = {widget["properties"].get("title", "") for widget in body["widgets"]}
    assert {
        "API requests and errors",
        "Jobs: what they did",
        "Mail and SMS: queued, sent, failed",
        "Payments",
    } <= titles


def test_on_failure_destinations_are_dead_letter_queues_whose_records_wrap_the_event():
    resources = {
        "Job": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "EventInvokeConfig": {
                    "DestinationConfig": {
                        "OnFailure": {"Type": "SQS", "Destination": {"Fn::GetAtt": ["Failures", "Arn"]}}
                    }
                }
            },
        },
        "Failures": {"Type": "AWS::SQS::Queue", "Properties": {}},
    }

    (queue,) = dead_letter_queues(resources).values()

    assert (queue.queue, queue.function, queue.wrapped) == ("Failures", "Job", True)


def test_a_dead_letter_queue_shared_by_two_targets_is_refused():
    def function_with(queue: str) -> dict[str, Any]:
        target = {"Type": "SQS", "TargetArn": {"Fn::GetAtt": [queue, "Arn"]}}
        return {"Type": "AWS::Serverless::Function", "Properties": {"DeadLetterQueue": target}}

    resources = {"One": function_with("Shared"), "Two": function_with("Shared")}

    with pytest.raises(ValueError, match="Shared takes messages for One and Two"):
        dead_letter_queues(resources)


def test_the_local_stack_says_in_its_banner_what_it_does_not_provision(deployment, tmp_path):
    from moto import mock_aws

    from devtools.stack.provision import provision_resources
    from devtools.stack.stack import banner
    from devtools.stack.state import StackState

    with mock_aws():
        not_local = provision_resources(deployment, endpoint_url=None)
    state = StackState("http://127.0.0.1:3000", "http://127.0.0.1:5000", "eu-west-1", "s", "dev", {}, 1, "t")
    text = " ".join(banner(state, tmp_path, not_local).split())

    alarms = len(deployment.resources_of_type("AWS::CloudWatch::Alarm"))
    assert not_local["AWS::CloudWatch::Alarm"] == alarms
    assert "AWS::SNS::Subscription" not in not_local, "its condition is false without an AlarmEmail"
    assert f"{alarms} CloudWatch::Alarm, 1 CloudWatch::Dashboard" in text.split("not local ", 1)[1]
    assert "(deployed only)" in text


def test_sms_spend_and_delivery_failures_alarm_the_alarm_topic(deployment, alarms):
    parameters = deployment.template["Parameters"]
    spend = [name for name, alarm in alarms.items() if alarm.get("MetricName") == "SMSMonthToDateSpentUSD"]
    failures = watching(
        alarms, "AWS/SNS", "NumberOfNotificationsFailed", ("PhoneNumber", "PhoneNumberDirect")
    )

    assert spend == ["SmsMonthlySpendAlarm"]
    assert alarms["SmsMonthlySpendAlarm"]["Namespace"] == "AWS/SNS"
    assert alarms["SmsMonthlySpendAlarm"]["Threshold"] == {"Ref": "SmsMonthlySpendAlarmUsd"}
    assert float(parameters["SmsMonthlySpendAlarmUsd"]["Default"]) > 0
    assert failures == ["SmsDeliveryFailuresAlarm"]


def test_the_functions_that_publish_text_messages_get_the_optional_sender_id(deployment):
    publishing = [
        function
        for function in deployment.functions
        if "sns:Publish" in json.dumps(deployment.function_properties(function).get("Policies", []))
    ]

    assert deployment.template["Parameters"]["SmsSenderId"]["Default"] == ""
    assert publishing == ["DeliveryWorkerFunction"]
    for function in publishing:
        assert deployment.function_environment(function)["SMS_SENDER_ID"] == ""
        with_sender = local_deployment({"SmsSenderId": "Invoices"})
        assert with_sender.function_environment(function)["SMS_SENDER_ID"] == "Invoices"


def test_the_authorizer_and_the_one_time_sends_invoke_the_live_alias(deployment):
    """A canary shifts only the traffic that goes through the alias, so nothing may call past it."""
    authorizer = deployment.api_properties["Auth"]["Authorizers"]["TenantAuthorizer"]
    alias = deployment.function_properties("ScheduledSendFunction")["AutoPublishAlias"]
    send_alias = f"ScheduledSendFunctionAlias{alias}"
    statements = deployment.resources["SendSchedulerRole"]["Properties"]["Policies"][0]["PolicyDocument"]

    assert authorizer["FunctionArn"] == {"Ref": f"AuthorizerFunctionAlias{alias}"}
    assert deployment.authorizer_function()[0] == "AuthorizerFunction"
    for function in ("SchedulingFunction", "InvoicesFunction"):
        variables = deployment.function_properties(function)["Environment"]["Variables"]
        assert variables["SCHEDULED_SEND_FUNCTION_ARN"] == {"Ref": send_alias}, function
        assert deployment.function_environment(function)["SCHEDULED_SEND_FUNCTION_ARN"] == (
            f"{deployment.arn('ScheduledSendFunction')}:{alias}"
        )
    invoking = [s for s in statements["Statement"] if s["Action"] == "lambda:InvokeFunction"]
    assert [statement["Resource"] for statement in invoking] == [{"Ref": send_alias}]


def test_sam_points_the_schedules_and_the_authorizer_at_the_live_alias(deployment, monkeypatch):
    """AutoPublishAlias makes SAM connect event sources (the ScheduleV2 events) to the alias; the
    authorizer's FunctionArn is ours to point at it, and SAM's permission follows that ARN."""
    from samtranslator.translator.transform import transform

    from devtools.template import load_template

    class NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    template = load_template()
    for resource in template["Resources"].values():
        for uri in ("CodeUri", "ContentUri"):
            if uri in resource.get("Properties", {}):
                resource["Properties"][uri] = "s3://bucket/key"  # what `sam package` leaves
    resources = transform(template, {}, NoManagedPolicies())["Resources"]

    schedules = {
        resource["Properties"]["Target"]["Arn"]["Ref"]
        for resource in resources.values()
        if resource["Type"] == "AWS::Scheduler::Schedule"
    }
    authorizer_permissions = [
        resource["Properties"]["FunctionName"]
        for name, resource in resources.items()
        if resource["Type"] == "AWS::Lambda::Permission" and "Authorizer" in name
    ]
    scheduled = {
        function for function in deployment.functions if "ScheduleV2" in event_types(deployment, function)
    }
    assert "ScheduledSendFunction" in scheduled
    assert schedules == {f"{function}Aliaslive" for function in scheduled}
    assert {resources[alias]["Type"] for alias in schedules} == {"AWS::Lambda::Alias"}
    assert authorizer_permissions == [{"Ref": "AuthorizerFunctionAliaslive"}]
    assert resources["AuthorizerFunctionAliaslive"]["Type"] == "AWS::Lambda::Alias"
