"""The API's OpenAPI document (`GET /v1/openapi.json`) and a Swagger UI page (`GET /v1/docs`).

The document is generated from the functions' route declarations by `make openapi`.
"""

import json
from functools import cache
from pathlib import Path

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Response

from invoicing.api.handler import api_handler
from invoicing.api.resolver import build_resolver
from invoicing.settings import FunctionSettings, load_settings

DOCUMENT_PATH = Path(__file__).with_name("openapi.json")
SWAGGER_UI_VERSION = "5.17.14"

settings = load_settings(FunctionSettings)
logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = build_resolver(logger)


@cache
def _document() -> str:
    return DOCUMENT_PATH.read_text(encoding="utf-8")


@app.get("/v1/openapi.json", include_in_schema=False)
def openapi_document() -> Response[str]:
    return Response(200, "application/json", _document())


@app.get("/v1/docs", include_in_schema=False)
def swagger_ui() -> Response[str]:
    base = f"https://cdn.jsdelivr.net/npm/swagger-ui-dist@{SWAGGER_UI_VERSION}"
    spec = json.dumps(json.loads(_document()))
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Invoicing API</title>
<link rel="stylesheet" href="{base}/swagger-ui.css"></head>
<body><div id="ui"></div><script src="{base}/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({{spec: {spec}, dom_id: "#ui"}});</script></body></html>"""
    return Response(200, "text/html; charset=utf-8", page)


lambda_handler = api_handler(app, logger, tracer, metrics)
