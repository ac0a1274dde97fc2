from devtools.openapi import OPENAPI_PATH, build_document, render
from devtools.template import local_deployment


def test_the_committed_openapi_document_matches_the_code():
    assert OPENAPI_PATH.read_text(encoding="utf-8") == render(build_document()), "run `make openapi`"


def test_every_api_route_of_the_template_is_documented():
    documented = {
        (method.upper(), path)
        for path, operations in build_document()["paths"].items()
        for method in operations
    }
    declared = {
        (route.method, route.path)
        for route in local_deployment().routes()
        if route.function != "DocsFunction"
    }

    assert declared == documented
