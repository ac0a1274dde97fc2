"""The use cases' `Telemetry` port through powertools: counts are CloudWatch metrics (EMF) and notes
are structured log lines, both joining the function's own (powertools shares a function's metric
set and its log configuration between instances)."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit


class PowertoolsTelemetry:
    def __init__(self) -> None:
        self._logger = Logger(child=True)
        self._metrics = Metrics()

    def count(self, name: str, value: int = 1) -> None:
        self._metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)

    def info(self, message: str, **fields: object) -> None:
        self._logger.info(message, extra=fields)

    def warning(self, message: str, **fields: object) -> None:
        self._logger.warning(message, extra=fields)
