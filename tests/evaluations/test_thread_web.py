"""The whole thread through the web pages, in Korean by default and English on request."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bioproof.evaluations.models import Evaluation, Report
from bioproof.evaluations.samples import DEMO_RUNS, fed_batch_csv

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_thread_via_web(people, orgs, product_a) -> None:
    supplier = _login(people["a_staff"])
    r = supplier.post(
        "/evaluations/new/",
        {
            "product": product_a.pk,
            "center": orgs["center"].pk,
            "title": "Web thread",
            "reference_product": "Incumbent",
            "scale": "50 L",
            "titer_margin_pct": "10",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    ev = Evaluation.objects.get(title="Web thread")
    base = f"/evaluations/{ev.code}"
    center = _login(people["evaluator"])
    assert center.post(f"{base}/step/accept/").status_code == 302
    _login(people["approver"]).post(f"{base}/step/sign_protocol/", {"password": PASSWORD})
    ev.refresh_from_db()
    assert ev.status == "running" and ev.protocol is not None
    for arm, label, params in DEMO_RUNS:
        center.post(f"{base}/runs/", {"arm": arm, "label": label, "batch_id": "B"})
        run = ev.runs.get(label=label)
        center.post(
            f"{base}/runs/{run.pk}/data/",
            {"file": SimpleUploadedFile(f"{label}.csv", fed_batch_csv(**params))},
        )
    center.post(f"{base}/step/analyse/")
    page = center.get(f"{base}/").content.decode()
    assert "합격" in page or "Pass" in page
    assert center.get(f"{base}/plot/vcd.svg")["Content-Type"] == "image/svg+xml"
    wrong = _login(people["evaluator"]).post(
        f"{base}/step/sign_authored/", {"password": "bad"}, follow=True
    )
    assert "error" in wrong.content.decode()
    for who, meaning in (
        ("evaluator", "authored"),
        ("reviewer", "reviewed"),
        ("approver", "approved"),
    ):
        _login(people[who]).post(f"{base}/step/sign_{meaning}/", {"password": PASSWORD})
    ev.refresh_from_db()
    assert ev.status == "approved"
    center.post(f"{base}/reports/", {"language": "ko"})
    report = Report.objects.get(evaluation=ev)
    download = center.get(f"{base}/reports/{report.pk}/")
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    _login(people["a_admin"]).post(f"{base}/step/publish/", {"consent": "on"})
    ev.refresh_from_db()
    assert ev.status == "published"
    public = Client().get(f"/track-records/{ev.code}/")
    assert public.status_code == 200
    text = public.content.decode()
    assert report.verification_code in text and "알파 CHO 배지" in text
    verify = Client().get("/verify/", {"code": report.verification_code})
    assert 'id="verification-result"' in verify.content.decode()
    assert report.sha256 in verify.content.decode()


def test_korean_by_default_english_switchable(client) -> None:
    assert "로그인" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert "Log in" in page and 'lang="en"' in page


def test_verify_rejects_unknown_code_and_compares_pdf(client, published) -> None:
    page = client.get("/verify/", {"code": "AAAA-BBBB-CCCC"}).content.decode()
    assert "verification-result" in page and "fail" in page
    report = published.reports.first()
    same = client.post(
        "/verify/",
        {"code": report.verification_code, "pdf": SimpleUploadedFile("r.pdf", report.file.read())},
    )
    assert re.search(r'class="pass">[^<]*(identical|동일)', same.content.decode())
    other = client.post(
        "/verify/",
        {"code": report.verification_code, "pdf": SimpleUploadedFile("r.pdf", b"%PDF-1.4 forged")},
    )
    assert re.search(r'class="fail">[^<]*(differs|다릅)', other.content.decode())


def test_demo_loader_runs_once(db, settings, tmp_path) -> None:
    import time

    from bioproof import demo

    started = time.perf_counter()
    first = demo.load()
    print(f"demo.load: {time.perf_counter() - started:.1f} s")
    assert first.created
    # a living programme: several published track records, every state of the workflow,
    # several demand companies with needs, proposals in every state and adoptions
    assert Evaluation.objects.filter(status="published").count() >= 3
    assert set(Evaluation.Status.values) <= set(Evaluation.objects.values_list("status", flat=True))
    from bioproof.demand.models import Adoption, Need, Proposal

    assert Need.objects.values("organization").distinct().count() >= 3
    assert set(Proposal.Status.values) <= set(Proposal.objects.values_list("status", flat=True))
    assert Adoption.objects.count() >= 2
    assert not demo.load().created
    from django.core.management import call_command

    call_command("audit", "verify")
