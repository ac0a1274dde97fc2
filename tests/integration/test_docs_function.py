"""The Swagger UI page works offline: every asset from the docs function, under a strict CSP."""

from __future__ import annotations

import copy
import json
import re
from html.parser import HTMLParser

import pytest

from tests.integration.conftest import invoke, sample_event

ASSETS = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-initializer.js": "text/javascript; charset=utf-8",
}


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.data_blocks: dict[str, str] = {}
        self._open_block: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.references += [value for name, value in attrs if name in ("src", "href") and value]
        if tag == "script":
            self.scripts.append(attributes)
            if attributes.get("type") == "application/json":
                self._open_block = attributes["id"]

    def handle_data(self, data: str) -> None:
        if self._open_block:
            self.data_blocks[self._open_block] = self.data_blocks.get(self._open_block, "") + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._open_block = None


@pytest.fixture
def docs(load_function):
    return load_function("DocsFunction")


def header(response: dict, name: str) -> str:
    (value,) = response["multiValueHeaders"][name]
    return value


def policy(response: dict) -> dict[str, list[str]]:
    directives = [
        part.split() for part in header(response, "Content-Security-Policy").split(";") if part.strip()
    ]
    return {name: sources for name, *sources in directives}


def asset_event(name: str) -> dict:
    event = copy.deepcopy(sample_event("docs/get-swagger-ui-asset.json"))
    event["path"] = f"/v1/docs/{name}"
    event["pathParameters"] = {"asset": name}
    return event


def test_the_page_loads_nothing_from_elsewhere_and_runs_no_inline_script(docs):
    response = invoke(docs, sample_event("docs/get-swagger-ui.json"))
    page = PageParser()
    page.feed(response["body"])

    assert response["statusCode"] == 200
    assert header(response, "Content-Type") == "text/html; charset=utf-8"
    assert sorted(page.references) == sorted(f"docs/{name}" for name in ASSETS)
    assert "cdn" not in response["body"]
    assert [script for script in page.scripts if "src" not in script] == [
        {"id": "openapi-document", "type": "application/json"}
    ]
    document = json.loads(page.data_blocks["openapi-document"])
    assert document["info"]["title"]
    assert "</" not in page.data_blocks["openapi-document"]


def test_the_page_is_served_under_a_strict_content_security_policy(docs):
    response = invoke(docs, sample_event("docs/get-swagger-ui.json"))
    directives = policy(response)

    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert not [
        source
        for sources in directives.values()
        for source in sources
        if re.match(r"(https?:|\*|'unsafe-eval')", source)
    ]
    assert header(response, "X-Content-Type-Options") == "nosniff"


@pytest.mark.parametrize(("name", "content_type"), ASSETS.items())
def test_every_asset_comes_from_the_pinned_package_or_the_function(docs, name, content_type):
    response = invoke(docs, asset_event(name))

    assert response["statusCode"] == 200
    assert header(response, "Content-Type") == content_type
    assert header(response, "X-Content-Type-Options") == "nosniff"
    assert response["isBase64Encoded"] is False
    assert len(response["body"]) > 100


def test_the_bundle_is_swagger_ui(docs):
    response = invoke(docs, sample_event("docs/get-swagger-ui-asset.json"))

    assert "SwaggerUIBundle" in response["body"]


@pytest.mark.parametrize("name", ["index.html", "../app.py", "swagger-ui-bundle.js.map", "openapi.json"])
def test_anything_else_under_docs_is_404_in_the_error_body(docs, name):
    response = invoke(docs, asset_event(name))

    assert response["statusCode"] == 404
    assert header(response, "Content-Type") == "application/problem+json"
