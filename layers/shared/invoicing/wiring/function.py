"""A function's settings, observability and services, built once per execution environment."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger, Metrics

from invoicing.settings import ConfigurationError, DocumentsSettings, TableSettings, load_settings
from invoicing.wiring.gc_at_init import freeze_and_resume_collection
from invoicing.wiring.services import Services
from invoicing.wiring.tracing import build_tracer

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from invoicing.api.handler import LambdaHandler
    from invoicing.api.idempotency import NeverStored


class Function[S: Services]:
    """Any function: its settings (checked at cold start, naming every missing variable), logger,
    tracer and metrics, and `services`, whose adapters are built on first use."""

    def __init__(self, services_type: type[S]) -> None:
        settings = load_settings(services_type.settings_type)
        self.services: S = services_type(settings)
        self.services.prepare()
        self.logger = Logger()
        self.tracer = build_tracer()
        self.metrics = Metrics()

    def entry_point[E, R](self, handle: Callable[[E, LambdaContext], R]) -> Callable[[E, LambdaContext], R]:
        """Decorator: `handle` as a Lambda entry point, its log lines carrying the invocation, traced,
        and its metrics flushed when it returns."""
        traced = self.tracer.capture_lambda_handler(self.metrics.log_metrics(handle))
        entry: Callable[[E, LambdaContext], R] = self.logger.inject_lambda_context(traced)
        freeze_and_resume_collection()
        return entry


class ApiFunction[S: Services](Function[S]):
    """An API function: `app` is the resolver its routes register on, and `handler()` its Lambda
    entry point."""

    @cached_property
    def app(self) -> APIGatewayRestResolver:
        from invoicing.api.resolver import build_resolver

        return build_resolver(self.logger)

    def handler(
        self,
        *,
        idempotent: bool = False,
        keeps_large_responses: bool = False,
        never_stored: NeverStored | None = None,
    ) -> LambdaHandler:
        """The entry point: with `idempotent`, every write honours `Idempotency-Key`; with
        `keeps_large_responses`, answers too large for the table are kept in the bucket; the fields
        `never_stored` names for a route never reach a record."""
        from invoicing.api.handler import api_handler

        settings = self.services.settings
        table = bucket = None
        if idempotent:
            if not isinstance(settings, TableSettings):
                raise ConfigurationError("an idempotent function needs TableSettings")
            table = settings.idempotency_table_name
        if keeps_large_responses:
            if not isinstance(settings, DocumentsSettings):
                raise ConfigurationError("keeping large responses needs DocumentsSettings")
            bucket = settings.bucket_name
        entry = api_handler(
            self.app,
            self.logger,
            self.tracer,
            self.metrics,
            idempotency_table=table,
            idempotency_bucket=bucket,
            never_stored=never_stored,
        )
        freeze_and_resume_collection()
        return entry
