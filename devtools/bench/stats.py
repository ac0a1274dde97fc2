"""Summaries of repeated timings."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    """Median and 90th percentile of one target's samples, in milliseconds."""

    median_ms: float
    p90_ms: float

    def ratio_to(self, baseline: Summary) -> float:
        """How many times slower than `baseline` this target is, median against median."""
        return self.median_ms / baseline.median_ms


def summarize(seconds: Sequence[float]) -> Summary:
    """Summarize timings given in seconds; p90 interpolates between the two nearest samples."""
    if not seconds:
        raise ValueError("no samples to summarize")
    millis = sorted(value * 1000 for value in seconds)
    p90 = statistics.quantiles(millis, n=10, method="inclusive")[8]
    return Summary(median_ms=statistics.median(millis), p90_ms=p90)
