"""Partner API: /api/v1, token scopes, rate limits, webhooks, the DCAT catalogue."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from bioproof.consortium.actions import issue_api_token
from bioproof.consortium.models import ApiToken
from bioproof.core.errors import DomainError, PolicyDenied
from bioproof.evaluations import actions as evaluations
from bioproof.interop import actions, webhooks
from bioproof.interop.models import WebhookDelivery


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def _auth(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_v1_serves_the_same_api_and_old_path_still_works(client: Any, published: Any) -> None:
    old = client.get("/api/track-records")
    new = client.get("/api/v1/track-records")
    assert old.status_code == new.status_code == 200
    assert old.json() == new.json()
    assert client.get("/api/v1/docs").status_code == 200


def test_scoped_token_reads_only_its_modules(client: Any, people: Any, published: Any) -> None:
    token, raw = issue_api_token(by=people["a_staff"], name="partner")
    # no scope row: full access as before
    assert client.get("/api/v1/evaluations", **_auth(raw)).status_code == 200
    actions.set_token_scopes(by=people["a_staff"], token=token, scopes=["read:track-records"])
    assert client.get("/api/v1/track-records", **_auth(raw)).status_code == 200
    refused = client.get("/api/v1/evaluations", **_auth(raw))
    assert refused.status_code == 403
    assert "read:evaluations" in refused.json()["detail"]
    write = client.post("/api/v1/track-records", {}, **_auth(raw))
    assert write.status_code == 403 and "write" in write.json()["detail"]
    # read-only everywhere
    actions.set_token_scopes(by=people["a_staff"], token=token, scopes=["read"])
    assert client.get("/api/v1/evaluations", **_auth(raw)).status_code == 200
    assert client.post("/api/evaluations", {}, **_auth(raw)).status_code == 403
    # only the owner sets scopes; unknown scopes are named
    with pytest.raises(PolicyDenied):
        actions.set_token_scopes(by=people["b_admin"], token=token, scopes=["read"])
    with pytest.raises(DomainError, match="read:nothing"):
        actions.set_token_scopes(by=people["a_staff"], token=token, scopes=["read:nothing"])


def test_rate_limit_answers_429_with_retry_after(client: Any, people: Any) -> None:
    token, raw = issue_api_token(by=people["a_staff"], name="busy")
    actions.set_token_scopes(by=people["a_staff"], token=token, scopes=["read"], per_minute=3)
    codes = [client.get("/api/v1/track-records", **_auth(raw)).status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3] == 429
    last = client.get("/api/v1/track-records", **_auth(raw))
    assert last.status_code == 429
    assert 1 <= int(last["Retry-After"]) <= 60
    # another token has its own budget
    _other, raw2 = issue_api_token(by=people["b_admin"], name="other")
    assert client.get("/api/v1/track-records", **_auth(raw2)).status_code == 200


def test_scopes_via_the_api(client: Any, people: Any) -> None:
    token, raw = issue_api_token(by=people["a_staff"], name="self")
    response = client.put(
        f"/api/v1/interop/tokens/{token.prefix}/scopes",
        json.dumps({"scopes": ["read:training"], "per_minute": 50}),
        content_type="application/json",
        **_auth(raw),
    )
    assert response.status_code == 200, response.content
    assert ApiToken.objects.get(pk=token.pk).interop_scope.scopes == ["read:training"]
    # the token itself has lost the right to change it now (interop writes need write:interop)
    again = client.put(
        f"/api/v1/interop/tokens/{token.prefix}/scopes",
        json.dumps({"scopes": ["write"]}),
        content_type="application/json",
        **_auth(raw),
    )
    assert again.status_code == 403


# --- webhooks -----------------------------------------------------------------------------------


@pytest.fixture
def sent(monkeypatch: Any, settings: Any) -> list[dict[str, Any]]:
    settings.BIOPROOF_WEBHOOK_ALLOW_HTTP = True
    settings.BIOPROOF_WEBHOOK_ALLOW_PRIVATE = True
    calls: list[dict[str, Any]] = []

    def transport(url: str, body: bytes, headers: dict[str, str]) -> int:
        calls.append({"url": url, "body": body, "headers": headers})
        return 204

    monkeypatch.setattr(webhooks, "TRANSPORT", transport)
    return calls


def test_webhooks_signed_and_cut_by_policy(
    approved: Any,
    people: Any,
    orgs: Any,
    sent: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    types = ["evaluation.published", "report.generated"]
    _sub_a, secret_a = actions.create_webhook(
        by=people["a_admin"],
        organization=orgs["supplier_a"],
        url="https://a.example/hook",
        event_types=types,
    )
    _sub_b, secret_b = actions.create_webhook(
        by=people["b_admin"],
        organization=orgs["supplier_b"],
        url="https://b.example/hook",
        event_types=types,
    )
    with django_capture_on_commit_callbacks(execute=True):
        evaluations.generate_report(by=people["evaluator"], evaluation=approved, language="en")
        evaluations.publish(by=people["a_admin"], evaluation=approved, consent=True)
    got = {(c["url"], c["headers"]["X-BioProof-Event"]) for c in sent}
    # the party sees both; the competitor only the public publication
    assert got == {
        ("https://a.example/hook", "report.generated"),
        ("https://a.example/hook", "evaluation.published"),
        ("https://b.example/hook", "evaluation.published"),
    }
    for call in sent:
        secret = secret_a if call["url"].startswith("https://a.") else secret_b
        header = call["headers"]["X-BioProof-Signature"]
        assert webhooks.verify_signature(secret, call["body"], header)
        assert not webhooks.verify_signature(secret, call["body"] + b" ", header)
        assert not webhooks.verify_signature(secret, call["body"], header, now=time.time() + 400)
        body = json.loads(call["body"])
        assert "after" not in body and body["object"]["type"] == "evaluations.evaluation"
    assert WebhookDelivery.objects.filter(status="delivered").count() == 3


def test_failed_delivery_backs_off_then_gives_up(
    approved: Any, people: Any, orgs: Any, monkeypatch: Any, settings: Any
) -> None:
    settings.BIOPROOF_WEBHOOK_ALLOW_PRIVATE = True
    statuses = iter([500, 502, 503, 500, 500, 500])
    monkeypatch.setattr(webhooks, "TRANSPORT", lambda url, body, headers: next(statuses))
    actions.create_webhook(
        by=people["a_admin"],
        organization=orgs["supplier_a"],
        url="https://a.example/hook",
        event_types=["report.generated"],
    )
    evaluations.generate_report(by=people["evaluator"], evaluation=approved, language="en")
    delivery = WebhookDelivery.objects.get()
    gaps = []
    for attempt in range(1, 7):
        before = timezone.now()
        status = webhooks.deliver(delivery.pk)
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        if attempt < 6:
            assert status == "pending"
            gaps.append((delivery.next_attempt_at - before).total_seconds())
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    assert [round(g / 30) for g in gaps] == [1, 2, 4, 8, 16]
    assert [e["status"] for e in delivery.log] == [500, 502, 503, 500, 500, 500]
    # a delivered or failed delivery is never sent again
    assert webhooks.deliver(delivery.pk) == "failed"


def test_destination_rules(settings: Any, people: Any, orgs: Any) -> None:
    settings.BIOPROOF_WEBHOOK_ALLOW_HTTP = False
    settings.BIOPROOF_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(webhooks.DestinationRefused, match="https"):
        webhooks.check_destination("http://partner.example/hook")
    with pytest.raises(webhooks.DestinationRefused, match="non-public"):
        webhooks.check_destination("https://127.0.0.1/hook")
    with pytest.raises(DomainError, match="refused"):
        actions.create_webhook(
            by=people["a_admin"],
            organization=orgs["supplier_a"],
            url="https://10.0.0.1/x",
            event_types=["evaluation.published"],
        )
    settings.BIOPROOF_WEBHOOK_ALLOW_PRIVATE = True
    with pytest.raises(PolicyDenied):
        actions.create_webhook(
            by=people["a_staff"],
            organization=orgs["supplier_a"],
            url="https://a.example/x",
            event_types=["evaluation.published"],
        )
    with pytest.raises(DomainError, match=r"no\.such"):
        actions.create_webhook(
            by=people["a_admin"],
            organization=orgs["supplier_a"],
            url="https://a.example/x",
            event_types=["no.such"],
        )


def test_webhook_api(client: Any, people: Any, orgs: Any, settings: Any) -> None:
    settings.BIOPROOF_WEBHOOK_ALLOW_PRIVATE = True
    _t, raw = issue_api_token(by=people["a_admin"], name="hooks")
    made = client.post(
        "/api/v1/interop/webhooks",
        json.dumps(
            {
                "organization": "supplier-a",
                "url": "https://a.example/h",
                "event_types": ["evaluation.published"],
            }
        ),
        content_type="application/json",
        **_auth(raw),
    )
    assert made.status_code == 201, made.content
    assert made.json()["secret"].startswith("whsec_")
    listed = client.get("/api/v1/interop/webhooks", **_auth(raw)).json()
    assert listed["count"] == 1 and "secret" not in listed["items"][0]
    _t2, raw_b = issue_api_token(by=people["b_admin"], name="b")
    assert client.get("/api/v1/interop/webhooks", **_auth(raw_b)).json()["count"] == 0
    pk = made.json()["id"]
    assert (
        client.get(f"/api/v1/interop/webhooks/{pk}/deliveries", **_auth(raw_b)).status_code == 404
    )


# --- open data ----------------------------------------------------------------------------------


def test_dcat_catalogue_lists_public_records_only(
    client: Any, published: Any, requested: Any
) -> None:
    response = client.get("/open-data/catalog.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    doc = response.json()
    assert doc["@type"] == "dcat:Catalog"
    ids = [d.get("dct:identifier") for d in doc["dcat:dataset"]]
    assert f"{published.code} v{published.version}" in ids
    dataset = next(
        d for d in doc["dcat:dataset"] if d.get("dct:identifier", "").startswith(published.code)
    )
    media = {x["dcat:mediaType"] for x in dataset["dcat:distribution"]}
    assert media == {"application/zip", "application/pdf"}
    api = client.get("/api/v1/interop/catalog").json()
    assert len(api["dcat:dataset"]) == len(doc["dcat:dataset"])


def test_instrument_list_and_import_over_api(client: Any, people: Any, requested: Any) -> None:
    from pathlib import Path

    from tests.conftest import PASSWORD

    evaluations.accept(by=people["evaluator"], evaluation=requested)
    evaluations.sign_protocol(by=people["approver"], evaluation=requested, password=PASSWORD)
    run = evaluations.add_run(
        by=people["evaluator"], evaluation=requested, arm="candidate", label="C1"
    )
    assert any(
        i["key"] == "ROCHE_CEDEX_BIOHT" for i in client.get("/api/v1/interop/instruments").json()
    )
    _t, raw = issue_api_token(by=people["evaluator"], name="lims")
    data = Path(__file__).parent / "data" / "Thermo_NanoDrop_mRNA.txt"
    with data.open("rb") as fh:
        response = client.post(
            f"/api/v1/interop/runs/{run.pk}/instrument-files",
            {"instrument": ["THERMO_FISHER_NANODROP_8000"], "files": [fh]},
            **_auth(raw),
        )
    assert response.status_code == 201, response.content
    assert response.json()["layout"] == "qc"
    # the wrong instrument: 4xx naming it, nothing written
    with data.open("rb") as fh:
        bad = client.post(
            f"/api/v1/interop/runs/{run.pk}/instrument-files",
            {"instrument": ["ROCHE_CEDEX_BIOHT"], "files": [fh]},
            **_auth(raw),
        )
    assert bad.status_code == 422 and "Roche Cedex" in bad.json()["detail"]
    _t2, raw_b = issue_api_token(by=people["b_admin"], name="b")
    listed = client.get("/api/v1/interop/instrument-files", **_auth(raw_b)).json()
    assert listed["count"] == 0
    assert client.get("/api/v1/interop/instrument-files", **_auth(raw)).json()["count"] == 1
    _ = dt


def test_retry_is_deferred_through_the_job_queue(
    approved: Any,
    people: Any,
    orgs: Any,
    monkeypatch: Any,
    settings: Any,
    run_worker: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """With the database queue, a failed attempt queues the next one to run after its backoff;
    the worker does not run it before then."""
    from django_tasks_db.models import DBTaskResult

    from bioproof.jobs.models import JobRun

    settings.BIOPROOF_WEBHOOK_ALLOW_PRIVATE = True
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    statuses = iter([503, 204])
    monkeypatch.setattr(webhooks, "TRANSPORT", lambda url, body, headers: next(statuses))
    actions.create_webhook(
        by=people["a_admin"],
        organization=orgs["supplier_a"],
        url="https://a.example/hook",
        event_types=["report.generated"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        evaluations.generate_report(by=people["evaluator"], evaluation=approved, language="en")
    delivery = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        run_worker()  # the first attempt fails (503) and queues the second for later
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempts == 1
    later = JobRun.objects.filter(kind="interop.webhook_deliver", status="queued").get()
    task = DBTaskResult.objects.get(id=later.task_id)
    assert task.run_after is not None
    assert abs((task.run_after - delivery.next_attempt_at).total_seconds()) < 1
    run_worker()  # not due yet: nothing runs
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    DBTaskResult.objects.filter(id=later.task_id).update(run_after=timezone.now())
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 2
    _ = dt
