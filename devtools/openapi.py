"""Build the API's OpenAPI document from the functions' own route declarations.

Each API function's resolver knows its routes and pydantic models; this merges them into one
document, written to `functions/docs/openapi.json` and served by the docs function. A test fails
when the committed document differs from what the code declares, so it stays truthful.
Run `make openapi` after changing a route or a model.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from typing import Any

from devtools.template import ROOT, LocalDeployment, local_deployment
from invoicing.documents.files import ALLOWED_KINDS, MAX_FILES_PER_REQUEST

OPENAPI_PATH = ROOT / "functions" / "docs" / "openapi.json"
DOCS_FUNCTION = "DocsFunction"

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "The one error body (application/problem+json); see ARCHITECTURE.md.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "time": {"type": "string"},
        "category": {"type": "string", "enum": ["BusinessError", "TechnicalError"]},
        "message": {"type": "string"},
        "customerFacingMessage": {"type": "string"},
        "code": {"type": "integer"},
        "statusCode": {"type": "integer"},
        "name": {"type": "string"},
        "details": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "error": {"type": "string"},
                    "fields": {"type": "array", "items": {"type": "string"}},
                    "hint": {"type": "string"},
                },
            },
        },
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        "correlationId": {"type": "string"},
    },
    "required": ["type", "title", "status", "detail", "correlationId"],
}
PROBLEM_REFERENCE = "#/components/schemas/Problem"
HTML_MEDIA_TYPE = "text/html"
ERROR_RESPONSES = {
    400: "Malformed or invalid request; each bad field is named.",
    401: "Missing, malformed, forged or expired credentials.",
    403: "The caller lacks the scope this route needs.",
    404: "No such resource for this tenant, or no such route.",
    409: "A concurrent change won, the resource's state forbids this, or a request with this "
    "Idempotency-Key is still running.",
    413: "The request is too large (API Gateway takes 10 MB; a function 6 MB).",
    415: "The request's Content-Type (or an uploaded file's type) is not one this route takes.",
    422: "The Idempotency-Key was used for another request, or the request cannot be carried out.",
    429: "Too many requests (API Gateway throttling, or a spent quota); retry with backoff.",
    500: "Unexpected error; quote the correlationId.",
    503: "A dependency is unavailable or throttled; retry with backoff.",
}
#: what every route can answer: the gateway's refusals (401, 403, 404, 429, a 400 of its own), a request
#: the function refuses (400), a resource of another tenant or none (404), an error (500, 503)
EVERY_ROUTE = (400, 401, 403, 404, 429, 500, 503)
#: writes carry an Idempotency-Key: the same key still running is 409, reused for another request 422
WRITE_ROUTE = (409, 422)
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
#: a route with a body: too large for the gateway (413), or of a content type it does not take (415)
BODY_ROUTE = (413, 415)
#: powertools' default 422 validation schemas; this API answers 400 with the problem body instead
POWERTOOLS_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")

SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    "apiKey": {"type": "http", "scheme": "basic", "description": "API key as keyId:secret"},
}


def _function_document(deployment: LocalDeployment, logical_id: str) -> dict[str, Any]:
    saved = dict(os.environ)
    os.environ.update(deployment.function_environment(logical_id))
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
    os.environ["POWERTOOLS_TRACE_DISABLED"] = "true"
    try:
        path = deployment.function_directory(logical_id) / "app.py"
        spec = importlib.util.spec_from_file_location(f"openapi_{logical_id}", path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        schema = module.app.get_openapi_schema(title="Invoicing API", version="1")
        document: dict[str, Any] = schema.model_dump(mode="json", by_alias=True, exclude_none=True)
        return document
    finally:
        os.environ.clear()
        os.environ.update(saved)


#: routes that read their body raw (multipart/form-data), which powertools cannot describe
MULTIPART_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("/v1/invoices/{invoiceId}/send", "post"): {
        "required": False,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "description": "A form, when sent, has at least one field.",
                    "minProperties": 1,
                    "properties": {
                        "pdf": {
                            "type": "string",
                            "format": "binary",
                            "description": "Your own PDF of the invoice, mailed instead of ours.",
                        }
                    },
                },
                "encoding": {"pdf": {"contentType": "application/pdf"}},
            }
        },
    },
    ("/v1/invoices/{invoiceId}/upload-attachments", "post"): {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": MAX_FILES_PER_REQUEST,
                            "items": {"type": "string", "format": "binary"},
                            "description": "Recognised from their first bytes, whatever their names.",
                        }
                    },
                },
                "encoding": {
                    "files": {"contentType": ", ".join(kind.content_type for kind in ALLOWED_KINDS)}
                },
            }
        },
    },
}


def _is_powertools_validation(response: dict[str, Any]) -> bool:
    return "HTTPValidationError" in json.dumps(response)


def _use_problem_responses(method: str, operation: dict[str, Any]) -> None:
    """Every status the route can answer, errors in the problem body (the hosted page's own HTML
    errors apart), no body for a 204 or a redirect."""
    responses = operation.setdefault("responses", {})
    if _is_powertools_validation(responses.get("422", {})):
        responses.pop("422")
    statuses = [*EVERY_ROUTE]
    if method in WRITE_METHODS:
        statuses += WRITE_ROUTE
    if "requestBody" in operation:
        statuses += BODY_ROUTE
    for status in statuses:
        responses.setdefault(str(status), {"description": ERROR_RESPONSES[status]})
    for status, response in responses.items():
        code = int(status)
        if code >= 400 and HTML_MEDIA_TYPE not in response.get("content", {}):
            response["content"] = {"application/problem+json": {"schema": {"$ref": PROBLEM_REFERENCE}}}
        elif code == 204 or 300 <= code < 400:
            response.pop("content", None)
    operation["responses"] = dict(sorted(responses.items()))


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter's schema without pydantic's `null` alternative: a query string cannot carry a null,
    an optional parameter is left out instead. The constraints beside `anyOf` join the one left."""
    alternatives = schema.get("anyOf")
    if not isinstance(alternatives, list) or {"type": "null"} not in alternatives or len(alternatives) != 2:
        return schema
    (kept,) = [alternative for alternative in alternatives if alternative != {"type": "null"}]
    merged = {**kept, **{key: value for key, value in schema.items() if key != "anyOf"}}
    if isinstance(kept.get("items"), dict) and isinstance(schema.get("items"), dict):
        merged["items"] = {**kept["items"], **schema["items"]}
    return merged


def api_functions(deployment: LocalDeployment) -> list[str]:
    return sorted(
        {route.function for route in deployment.routes() if route.function != DOCS_FUNCTION},
    )


def build_document(deployment: LocalDeployment | None = None) -> dict[str, Any]:
    deployment = deployment or local_deployment()
    sys.path.insert(0, str(ROOT / "layers" / "shared"))
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for logical_id in api_functions(deployment):
        document = _function_document(deployment, logical_id)
        for path, operations in document.get("paths", {}).items():
            paths.setdefault(path, {}).update(operations)  # two functions may serve one path
        schemas.update(document.get("components", {}).get("schemas", {}))
    public = {(route.path, route.method.lower()) for route in deployment.routes() if route.public}
    for path, operations in paths.items():
        for method, operation in operations.items():
            if (path, method) in public:
                operation["security"] = []  # no authorizer: a signature or a link's token authorises it
            if (path, method) in MULTIPART_BODIES:
                operation["requestBody"] = MULTIPART_BODIES[(path, method)]
            for parameter in operation.get("parameters", []):
                parameter["schema"] = _without_null(parameter["schema"])
            _use_problem_responses(method, operation)
    for name in POWERTOOLS_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    schemas["Problem"] = PROBLEM_SCHEMA
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Invoicing API",
            "version": "1",
            "description": "Invoices, their lifecycle, documents and delivery. Every error is "
            "application/problem+json with the fields described in ARCHITECTURE.md.",
        },
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": dict(sorted(schemas.items())), "securitySchemes": SECURITY_SCHEMES},
        "security": [{"bearer": []}, {"apiKey": []}],
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the committed document is stale")
    arguments = parser.parse_args(argv)
    text = render(build_document())
    if arguments.check:
        if not OPENAPI_PATH.exists() or OPENAPI_PATH.read_text(encoding="utf-8") != text:
            print(f"{OPENAPI_PATH.relative_to(ROOT)} is stale: run `make openapi`", file=sys.stderr)
            return 1
        return 0
    OPENAPI_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {OPENAPI_PATH.relative_to(ROOT)} ({len(json.loads(text)['paths'])} paths)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
