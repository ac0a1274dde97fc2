"""The Swagger UI page over HTTP: it and everything it loads come from the API itself."""

from __future__ import annotations

import re
import urllib.parse

import pytest

pytestmark = pytest.mark.e2e

CONTENT_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


def test_the_docs_page_and_its_assets_are_served_by_the_api(client_for):
    client = client_for("docs-reader", scopes="invoices:read")
    page_url = "/v1/docs"

    page = client.get(page_url)

    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy
    html = page.body.decode()
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(references) == 3
    for reference in references:
        url = urllib.parse.urljoin(client.base_url + page_url, reference)
        assert url.startswith(client.base_url + "/v1/docs/"), url

        asset = client.get(url.removeprefix(client.base_url))

        assert asset.status == 200, url
        assert asset.headers["Content-Type"] == CONTENT_TYPES[url[url.rindex(".") :]]
        assert asset.headers["X-Content-Type-Options"] == "nosniff"
        assert len(asset.body) > 100
    assert client.get("/v1/docs/swagger-ui-bundle.js").body.startswith(b"/*! For license information")


def test_an_unknown_docs_asset_is_404(client_for):
    response = client_for("docs-reader", scopes="invoices:read").get("/v1/docs/index.html")

    assert response.status == 404
    assert response.headers["Content-Type"] == "application/problem+json"
