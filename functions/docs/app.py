"""The API's OpenAPI document (`GET /v1/openapi.json`) and a Swagger UI page (`GET /v1/docs`).

The document is generated from the functions' route declarations by `make openapi`. The page loads
nothing from elsewhere: Swagger UI's stylesheet and bundle come from the pinned `swagger-ui-py`
package (Swagger UI 5, which reads OpenAPI 3.1; this function's requirements.txt) and are served
under `/v1/docs/`, with the initializer
next to this file. The page carries the document as a JSON data block, which no browser executes,
so its Content-Security-Policy allows scripts from this origin only and no inline script at all.
"""

from __future__ import annotations

from invoicing.wiring.function import ApiFunction
from invoicing.wiring.services import Services

import json
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from aws_lambda_powertools.event_handler import Response

from invoicing.errors import NotFound

HERE = Path(__file__).parent
DOCUMENT_PATH = HERE / "openapi.json"
JAVASCRIPT = "text/javascript; charset=utf-8"
#: asset name -> (where it comes from, Content-Type); nothing else is served
ASSETS = {
    "swagger-ui.css": ("swagger-ui-py", "text/css; charset=utf-8"),
    "swagger-ui-bundle.js": ("swagger-ui-py", JAVASCRIPT),
    "swagger-initializer.js": ("function", JAVASCRIPT),
}
# Swagger UI sets inline styles and draws its icons from data: URIs in its stylesheet.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
ASSET_CACHE = "private, max-age=86400"
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Invoicing API</title>
<link rel="stylesheet" href="docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script id="openapi-document" type="application/json">{document}</script>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/swagger-initializer.js"></script></body></html>
"""

function = ApiFunction(Services)
app = function.app


@cache
def _document() -> str:
    return DOCUMENT_PATH.read_text(encoding="utf-8")


@cache
def _page() -> str:
    """The document as JSON that cannot end the data block early (`<`, `>` and `&` escaped)."""
    compact = json.dumps(json.loads(_document()), separators=(",", ":"))
    embedded = compact.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return PAGE.format(document=embedded)


@cache
def _asset(name: str) -> str:
    source, _ = ASSETS[name]
    if source == "function":
        return (HERE / name).read_text(encoding="utf-8")
    return (_swagger_ui_static() / name).read_text(encoding="utf-8")


def _swagger_ui_static() -> Path:
    """The package's static folder, found without importing the package (and its web-framework glue)."""
    spec = find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed: see functions/docs/requirements.txt")
    return Path(spec.submodule_search_locations[0]) / "static"


@app.get("/v1/openapi.json", include_in_schema=False)
def openapi_document() -> Response[str]:
    return Response(200, "application/json", _document())


@app.get("/v1/docs", include_in_schema=False)
def swagger_ui() -> Response[str]:
    headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, **SECURITY_HEADERS}
    return Response(200, "text/html; charset=utf-8", _page(), headers=headers)


@app.get("/v1/docs/<asset>", include_in_schema=False)
def swagger_ui_asset(asset: str) -> Response[str]:
    if asset not in ASSETS:
        raise NotFound(f"The docs page has no asset {asset!r}.")
    headers = {"Cache-Control": ASSET_CACHE, **SECURITY_HEADERS}
    return Response(200, ASSETS[asset][1], _asset(asset), headers=headers)


lambda_handler = function.handler()
