import pytest
from openapi_spec_validator import validate


@pytest.mark.django_db
def test_schema_is_valid_openapi_3_and_documents_every_operation(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    validate(schema)
    operations = {
        (method.upper(), path) for path, item in schema["paths"].items() for method in item
    }
    assert {
        ("POST", "/api/v1/auth/token"),
        ("GET", "/api/v1/me"),
        ("POST", "/api/v1/citizens"),
        ("GET", "/api/v1/divisions"),
    } <= operations
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert operation.get("summary"), f"{method} {path} has no summary"


@pytest.mark.django_db
def test_docs_page_uses_local_assets(client):
    html = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
