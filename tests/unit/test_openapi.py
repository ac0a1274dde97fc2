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


def _operations():
    for path, operations in build_document()["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def test_every_error_answer_is_the_problem_body():
    """Except the hosted page's unknown link: a customer's browser gets a small HTML page (issue 16)."""
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    html = {"text/html": {"schema": {"type": "string"}}}
    for method, path, operation in _operations():
        hosted_page = path.startswith(("/v1/public/", "/i/"))
        for status, response in operation["responses"].items():
            if hosted_page and status == "404":
                assert response["content"] == html, (method, path, status)
            elif int(status) >= 400:
                assert response["content"] == problem, (method, path, status)


def test_a_redirect_has_no_body_but_a_location():
    redirects = 0
    for method, path, operation in _operations():
        for status, response in operation["responses"].items():
            if 300 <= int(status) < 400:
                redirects += 1
                assert "content" not in response, (method, path, status)
    assert redirects >= 5


def test_every_route_documents_what_the_gateway_and_the_functions_can_answer():
    for method, path, operation in _operations():
        statuses = set(operation["responses"])
        assert {"400", "401", "403", "404", "429", "500", "503"} <= statuses, (method, path)
        if method in ("post", "patch", "delete"):
            assert {"409", "422"} <= statuses, (method, path)
        if "requestBody" in operation:
            assert {"413", "415"} <= statuses, (method, path)


def test_a_204_has_no_body():
    for method, path, operation in _operations():
        assert "content" not in operation["responses"].get("204", {}), (method, path)


def test_id_lists_take_one_to_a_hundred_ids():
    (ids,) = build_document()["paths"]["/v1/invoices/find"]["get"]["parameters"]

    assert (ids["schema"]["minItems"], ids["schema"]["maxItems"]) == (1, 100)


def test_an_optional_parameter_is_left_out_never_null():
    for method, path, operation in _operations():
        for parameter in operation.get("parameters", []):
            assert {"type": "null"} not in parameter["schema"].get("anyOf", []), (method, path, parameter)


def test_a_parameters_constraints_apply_to_its_values():
    operation = build_document()["paths"]["/v1/invoices/dynamic-search"]["get"]
    sort = next(parameter for parameter in operation["parameters"] if parameter["name"] == "sort")

    assert sort["schema"]["type"] == "array"
    assert sort["schema"]["maxItems"] == 1
    assert sort["schema"]["items"]["type"] == "string"
    assert sort["schema"]["items"]["pattern"].startswith("^\\s*(invoiceDate|")
