"""On Lambda, a function's init runs without cyclic garbage collection and ends with what it built
frozen and collection back on; anywhere else the collector is left alone."""

from __future__ import annotations

import pytest

from tests.integration.conftest import cold_start_probe

PROBE = """\
import gc, json, sys
sys.path[:0] = sys.argv[1:]
import invoicing.wiring
during = gc.isenabled()
import app
print(json.dumps({"during": during, "after": gc.isenabled(), "frozen": gc.get_freeze_count()}))
"""


def collector_around_the_init(function: str, *, execution_env: str) -> dict[str, object]:
    observed = cold_start_probe(function, PROBE, environment={"AWS_EXECUTION_ENV": execution_env})
    assert isinstance(observed, dict)
    return observed


@pytest.mark.parametrize("function", ["MeFunction", "OverdueFunction"])
def test_on_lambda_the_init_collects_nothing_and_ends_frozen_with_collection_on(function):
    observed = collector_around_the_init(function, execution_env="AWS_Lambda_python3.13")

    assert observed["during"] is False
    assert observed["after"] is True
    assert isinstance(observed["frozen"], int)
    assert observed["frozen"] > 10_000


def test_elsewhere_the_collector_is_left_alone():
    observed = collector_around_the_init("MeFunction", execution_env="")

    assert observed == {"during": True, "after": True, "frozen": 0}
