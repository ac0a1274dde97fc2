"""A function's tracer: X-Ray when tracing is on, and no X-Ray SDK at all when it is off.

Powertools' Tracer imports the X-Ray SDK even when tracing is disabled (it then switches the SDK
off); given a provider of its own, it does not. So with tracing off (tests, local runs,
`POWERTOOLS_TRACE_DISABLED`) the tracer records nothing through `_Untraced`. With tracing on, only
http.client is patched here, instead of every library the SDK knows (databases, requests, httpx),
which a function would import for nothing; botocore (every AWS call, PynamoDB's too) is patched when
the function builds its AWS session (`invoicing.adapters.aws_session`), so a function that calls no
AWS service does not import botocore's client for X-Ray.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from aws_lambda_powertools import Tracer
from aws_lambda_powertools.shared import constants
from aws_lambda_powertools.shared.functions import resolve_truthy_env_var_choice
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment

PATCHED_MODULES = ("httplib",)


def tracing_enabled() -> bool:
    """Powertools' own rule: on in Lambda (not under SAM local or Chalice) unless disabled by
    POWERTOOLS_TRACE_DISABLED."""
    if resolve_truthy_env_var_choice(env=os.getenv(constants.TRACER_DISABLED_ENV, "false")):
        return False
    in_lambda = bool(os.getenv(constants.LAMBDA_TASK_ROOT_ENV))
    emulated = bool(os.getenv(constants.SAM_LOCAL_ENV) or os.getenv(constants.CHALICE_LOCAL_ENV))
    return in_lambda and not emulated


def build_tracer() -> Tracer:
    if tracing_enabled():
        return Tracer(patch_modules=PATCHED_MODULES)
    return Tracer(disabled=True, provider=_Untraced())


class _Unrecorded(BaseSegment):
    """A segment nothing reads."""

    def close(self, end_time: int | None = None) -> None:
        return None

    def add_subsegment(self, subsegment: Any) -> None:
        return None

    def remove_subsegment(self, subsegment: Any) -> None:
        return None

    def put_annotation(self, key: str, value: Any) -> None:
        return None

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        return None

    def add_exception(
        self, exception: BaseException, stack: list[traceback.StackSummary], remote: bool = False
    ) -> None:
        return None


class _Untraced(BaseProvider):
    """The provider of a tracer that is off: every subsegment is `_Unrecorded`."""

    @contextmanager
    def in_subsegment(self, name: str | None = None, **kwargs: Any) -> Iterator[BaseSegment]:
        yield _Unrecorded()

    @asynccontextmanager
    async def in_subsegment_async(self, name: str | None = None, **kwargs: Any) -> AsyncIterator[BaseSegment]:
        yield _Unrecorded()

    def put_annotation(self, key: str, value: Any) -> None:
        return None

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        return None

    def patch(self, modules: Sequence[str]) -> None:
        return None

    def patch_all(self) -> None:
        return None
