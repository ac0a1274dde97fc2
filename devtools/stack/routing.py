"""API Gateway's resource matching: literal segments win over `{variables}`, which win over `{greedy+}`."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from devtools.template import Route


@dataclass(frozen=True)
class Match:
    """The resource a request path selected, its path parameters and the route for the method."""

    resource: str
    path_parameters: dict[str, str]
    route: Route | None


def _segments(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


def _kind(segment: str) -> int:
    """Precedence of a resource segment: 0 literal, 1 variable, 2 greedy."""
    if segment.startswith("{") and segment.endswith("+}"):
        return 2
    if segment.startswith("{") and segment.endswith("}"):
        return 1
    return 0


def _match(template: list[str], path: list[str]) -> dict[str, str] | None:
    parameters: dict[str, str] = {}
    for index, segment in enumerate(template):
        kind = _kind(segment)
        if kind == 2:
            rest = path[index:]
            if not rest:
                return None
            parameters[segment[1:-2]] = unquote("/".join(rest))
            return parameters
        if index >= len(path):
            return None
        if kind == 1:
            parameters[segment[1:-1]] = unquote(path[index])
        elif segment != unquote(path[index]):
            return None
    return parameters if len(template) == len(path) else None


class Router:
    """The API's resources built from the template's routes."""

    def __init__(self, routes: list[Route]) -> None:
        self.resources: dict[str, dict[str, Route]] = {}
        for route in routes:
            self.resources.setdefault(route.path, {})[route.method] = route

    def match(self, method: str, path: str) -> Match | None:
        """The most specific resource for `path` (None when there is none), then its method or ANY."""
        requested = _segments(path)
        candidates = []
        for resource in self.resources:
            template = _segments(resource)
            parameters = _match(template, requested)
            if parameters is not None:
                candidates.append(([_kind(segment) for segment in template], resource, parameters))
        if not candidates:
            return None
        _, resource, parameters = min(candidates, key=lambda candidate: candidate[0])
        methods = self.resources[resource]
        return Match(resource, parameters, methods.get(method.upper()) or methods.get("ANY"))
