"""`make jobs`: the order the template's jobs run in, the events they get, and the summary lines."""

from __future__ import annotations

from datetime import UTC, datetime

from devtools.stack.jobs import job_order, outcome, summary
from devtools.stack.runtime import Invocation
from devtools.stack.schedules import schedule_payload
from devtools.template import local_deployment

AT = datetime(2027, 2, 1, 9, 0, 30, tzinfo=UTC)


def test_jobs_run_by_their_job_order_then_in_template_order():
    deployment = local_deployment()
    template_order = list(deployment.functions)

    ordered = job_order(deployment)

    ranks = [deployment.functions[s.function].get("Metadata", {}).get("JobOrder") for s in ordered]
    numbered = [rank for rank in ranks if rank is not None]
    assert ordered[0].function == "ScheduledSendFunction"
    assert numbered == sorted(numbered)
    assert ranks[: len(numbered)] == numbered
    rest = [s.function for s, rank in zip(ordered, ranks, strict=True) if rank is None]
    assert rest == sorted(rest, key=template_order.index)
    assert {s.function for s in ordered} == {s.function for s in deployment.schedules()}


def test_a_job_gets_the_time_it_runs_for_in_its_event():
    deployment = local_deployment()
    sweep = next(s for s in deployment.schedules() if s.function == "ScheduledSendFunction")

    assert schedule_payload(deployment, sweep, AT) == {"time": "2027-02-01T09:00:30Z"}


def test_each_job_is_summed_up_on_one_line():
    ran = Invocation(request_id="1", result={"sent": 2, "failed": 0, "failures": []})
    failed = Invocation(request_id="2", error={"errorType": "Boom", "errorMessage": "it broke"})

    assert outcome(ran) == "sent=2 failed=0 failures=[]"
    assert outcome(failed) == "FAILED Boom: it broke"
    assert summary(["a"]) == '["a"]'
