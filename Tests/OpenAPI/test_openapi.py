"""The OpenAPI document is valid OpenAPI 3.1 and gives a generated client everything it needs:
every operation tagged, and every error it can answer declared with a problem body."""
import json
import pathlib

from openapi_spec_validator import validate

DOCUMENT = pathlib.Path(__file__).resolve().parents[2] / "Sources" / "CofferAPI" / "Resources" / "openapi.json"
METHODS = ("get", "post", "put", "patch", "delete")


def operations(document):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def resolve(document, node):
    while "$ref" in node:
        target = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def test_the_document_is_valid_openapi():
    validate(json.loads(DOCUMENT.read_text()))


def test_every_operation_is_tagged_and_declares_its_errors():
    document = json.loads(DOCUMENT.read_text())
    tags = {tag["name"] for tag in document["tags"]}
    for path, method, operation in operations(document):
        where = f"{method.upper()} {path}"
        assert len(operation.get("tags", [])) == 1 and operation["tags"][0] in tags, where
        responses = operation["responses"]
        expected = {"429", "500", "503"}
        if "requestBody" in operation:
            expected |= {"400", "413", "415"}
        if operation.get("security", document.get("security")) not in (None, []):
            expected.add("401")
        assert expected <= set(responses), f"{where} lacks {sorted(expected - set(responses))}"
        for status, response in responses.items():
            if status.startswith(("4", "5")) and not (path.startswith("/v1/health") and status == "503"):
                content = resolve(document, response).get("content", {})
                assert "application/problem+json" in content, f"{where} {status}"
