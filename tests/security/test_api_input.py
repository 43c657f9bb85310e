"""Bad input is a 4xx with a clear message; one authentication resolver; unique schema names."""

from __future__ import annotations

import inspect
from collections import defaultdict

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from ninja import Schema

from bioproof.api import api
from bioproof.consortium.actions import issue_api_token, revoke_api_token
from bioproof.evaluations import actions as evaluations
from bioproof.evaluations.samples import DEMO_RUNS, fed_batch_csv

pytestmark = pytest.mark.django_db


def _bearer(user) -> Client:
    _, raw = issue_api_token(by=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")


# ------------------------------------------------------------------ NUL characters


@pytest.mark.parametrize(
    "url",
    [
        "/api/products?category=me%00dia",
        "/api/search?q=a%00b",
        "/search/?q=a%00b",
        "/products/?category=%00",
        "/api/products/PR%00X",
        "/track-records/%00/",
    ],
)
def test_nul_in_address_or_query_is_400(client: Client, url: str) -> None:
    r = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400
    assert "NUL" in r.content.decode()


def test_nul_in_json_body_is_400_naming_the_field(people) -> None:
    r = _bearer(people["a_staff"]).post(
        "/api/products",
        {"category": "media", "name_en": "ok", "specs": {"x": ["fine", "bad\x00"]}},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert "specs.x[1]" in r.json()["detail"]


def test_nul_in_form_field_is_400(client: Client) -> None:
    r = client.post("/login/", {"username": "a\x00b", "password": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400
    assert "username" in r.content.decode()


def test_nul_in_upload_name_never_reaches_the_database(people, product_a) -> None:
    """Django's multipart parser drops NUL from file names; the name is stored without it."""
    r = _bearer(people["a_staff"]).post(
        f"/api/product-documents/{product_a.code}",
        {"kind": "coa", "file": SimpleUploadedFile("a\x00.pdf", b"%PDF-1.4")},
    )
    assert r.status_code == 201 and r.json()["filename"] == "a.pdf"


def test_over_long_upload_name_is_400(people, product_a) -> None:
    r = _bearer(people["a_staff"]).post(
        f"/api/product-documents/{product_a.code}",
        {"kind": "coa", "file": SimpleUploadedFile("a" * 250 + ".pdf", b"%PDF-1.4")},
    )
    assert r.status_code == 400 and r.json()["field"] == "file"


# ------------------------------------------------------------------ ranges, lengths, enums


@pytest.mark.parametrize(
    "query",
    [
        "offset=-1",
        "limit=0",
        "limit=-5",
        "offset=1000000000000000000000000000000",
        "limit=99999999999999999999",
        "offset=abc",
    ],
)
def test_out_of_range_pagination_is_4xx(client: Client, query: str) -> None:
    for url in ("/api/products", "/api/needs", "/api/track-records", "/api/search"):
        r = client.get(f"{url}?{query}")
        assert 400 <= r.status_code < 500, (url, query, r.content)


def test_page_numbers_out_of_range_are_not_errors(client: Client) -> None:
    for page in ("-1", "0", "99999999999999999999999", "x"):
        assert client.get(f"/track-records/?page={page}").status_code == 200


def test_over_long_strings_are_422_naming_the_field(people) -> None:
    r = _bearer(people["a_staff"]).post(
        "/api/products",
        {"category": "media", "name_en": "x" * 201},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "name_en"


def test_unknown_enum_values_are_422(people) -> None:
    api_client = _bearer(people["evaluator"])
    assert api_client.get("/api/evaluations?status=nonsense").status_code == 422
    assert api_client.get("/api/needs?status=nonsense").status_code == 422
    assert api_client.get("/api/proposals?status=nonsense").status_code == 422
    assert api_client.get("/api/evaluations?status=running").status_code == 200


# ------------------------------------------------------------------ authentication


def test_product_endpoints_honour_bearer_tokens(people, product_a) -> None:
    """The review's finding: a supplier's token got 404 for its own draft."""
    url = f"/api/products/{product_a.code}"
    assert Client().get(url).status_code == 404
    assert _bearer(people["a_staff"]).get(url).status_code == 200
    assert _bearer(people["b_admin"]).get(url).status_code == 404
    listed = _bearer(people["a_staff"]).get("/api/products").json()["items"]
    assert product_a.code in [p["code"] for p in listed]


def test_a_bad_token_is_refused_everywhere(people) -> None:
    token, raw = issue_api_token(by=people["a_staff"], name="t")
    revoke_api_token(by=people["a_staff"], token=token)
    for url in ("/api/products", "/api/needs", "/api/search?q=x", "/api/evaluations"):
        r = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(url)
        assert r.status_code == 401, url
    assert Client(HTTP_AUTHORIZATION="Bearer ").get("/api/products").status_code == 401
    assert Client().get("/api/products").status_code == 200


def test_session_callers_keep_the_csrf_check(people) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["a_staff"])
    r = client.post("/api/products", {"category": "media"}, content_type="application/json")
    assert r.status_code == 403
    assert client.get("/api/evaluations").status_code == 200


def test_token_lookup_lives_in_one_place() -> None:
    import bioproof

    root = inspect.getfile(bioproof).rsplit("/", 1)[0]
    from pathlib import Path

    readers = sorted(
        str(p.relative_to(root))
        for p in Path(root).rglob("*.py")
        if "migrations" not in p.parts
        and ("key_hash=" in p.read_text() or "user_for_token(" in p.read_text())
    )
    assert readers == ["consortium/actions.py", "consortium/auth.py"]


# ------------------------------------------------------------------ OpenAPI and run labels


def test_openapi_component_names_are_unique() -> None:
    import bioproof.catalog.api
    import bioproof.demand.api
    import bioproof.evaluations.api
    import bioproof.search.api

    names = defaultdict(set)
    for module in (
        bioproof.catalog.api,
        bioproof.demand.api,
        bioproof.evaluations.api,
        bioproof.search.api,
    ):
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, Schema) and obj is not Schema:
                names[obj.__name__].add(f"{obj.__module__}.{obj.__qualname__}")
    assert {n: s for n, s in names.items() if len(s) > 1} == {}
    schema = api.get_openapi_schema()
    body = schema["paths"]["/api/evaluations/{code}/request-info"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("/EvaluationReasonIn")
    body = schema["paths"]["/api/needs/{code}/close"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("/DemandReasonIn")


def test_a_run_label_with_a_slash_receives_data(people, requested) -> None:
    from ..conftest import PASSWORD

    evaluations.accept(by=people["evaluator"], evaluation=requested)
    evaluations.sign_protocol(by=people["approver"], evaluation=requested, password=PASSWORD)
    center = _bearer(people["evaluator"])
    arm, _, params = DEMO_RUNS[0]
    label = "B-01/2026"
    r = center.post(
        f"/api/evaluations/{requested.code}/runs",
        {"arm": arm, "label": label},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    for url_label in (label, "B-01%2F2026"):
        up = center.post(
            f"/api/evaluations/{requested.code}/runs/{url_label}/data",
            {"file": SimpleUploadedFile("b.csv", fed_batch_csv(**params))},
        )
        assert up.status_code == 201, up.content


def test_huge_ids_are_404_not_500(people, client: Client) -> None:
    huge = "9" * 25
    r = _bearer(people["demand"]).post(
        f"/api/proposals/{huge}/accept", {"reason": ""}, content_type="application/json"
    )
    assert r.status_code in (404, 422)
    client.force_login(people["evaluator"])
    assert client.get(f"/evaluations/EV-2026-0001/reports/{huge}/").status_code == 404
