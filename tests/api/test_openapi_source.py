"""/openapi.json is the official HSDS document from the data sets folder; without it, an honest 503."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_without_the_hsds_data_set_the_document_is_503_json_saying_how_to_install_it(
    client: Client, kamakura: Any, settings: Any, tmp_path: Path
) -> None:
    settings.DATASETS_DIR = tmp_path
    response = client.get("/kamakura/api/openapi.json", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    message = json.loads(response.content)["message"]
    assert "get-datasets hsds-3.0" in message and "まだ用意されていません" in message
    # The API itself still answers.
    assert client.get("/kamakura/api/services").status_code == 200
    assert client.get("/api/").status_code == 200


def test_the_document_is_read_from_the_data_sets_folder(
    client: Client, kamakura: Any, settings: Any, tmp_path: Path
) -> None:
    """A made-up document in the official shape: what is served comes from the folder, with our additions."""
    schema = tmp_path / "hsds-3.0" / "schema"
    schema.mkdir(parents=True)
    parameters = {
        name: {"name": name, "in": "query", "description": f"{name} (test).", "schema": {"type": "string"}}
        for name in (
            "page",
            "per_page",
            "format",
            "taxonomy_term_id",
            "taxonomy_id",
            "modified_after",
            "postcode",
            "proximity",
            "full",
            "minimal",
            "full_service",
        )
    }
    ok = {"200": {"description": "OK", "content": {"application/json": {"schema": {}}}}}
    page = {"properties": {"contents": {"type": "array", "items": {}}}}
    services = {"200": {"description": "OK", "content": {"application/json": {"schema": page}}}}
    document = {
        "openapi": "3.1.0",
        "info": {"title": "test", "version": "0"},
        "paths": {
            "/": {"get": {"responses": ok}},
            "/services": {"get": {"responses": services}},
            "/service_at_locations/{id}": {"get": {"responses": ok}},
        },
        "components": {"parameters": parameters, "schemas": {}},
        "x-made-up": "from the data sets folder",
    }
    (schema / "openapi.json").write_text(json.dumps(document), encoding="utf-8")
    settings.DATASETS_DIR = tmp_path
    response = client.get("/kamakura/api/openapi.json")
    assert response.status_code == 200
    served = json.loads(response.content)
    assert served["x-made-up"] == "from the data sets folder"
    assert served["servers"] == [{"url": "http://testserver/kamakura/api"}]
    assert "/openapi.json" in served["paths"]
    assert served["info"]["title"] == "Tsunagari HSDS API"
