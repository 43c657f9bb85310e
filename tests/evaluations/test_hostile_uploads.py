"""Hostile files through the upload view and the API: a 4xx (or the form) with a localized
message, nothing written (no RunDataFile row, no audit event, no stored file)."""

from __future__ import annotations

import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bioproof.core.models import AuditEvent
from bioproof.evaluations import actions
from bioproof.evaluations.models import RunDataFile

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db

HEADER = "Time [d],VCD [1e6 cells/mL],Viability [%],Glucose [g/L],Lactate [g/L],Titer [mg/L]"
ROWS = "0,0.5,98,6.0,0.2,0\n1,0.9,98,5.8,0.5,20\n"


def _bomb_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active["XFD1048576"] = 1
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


#: name → (file name, bytes, English fragment, Korean fragment)
HOSTILE = {
    "dimension bomb": ("bomb.xlsx", _bomb_xlsx, "XFD1048576", "XFD1048576"),
    "unit bomb": (
        "unit.csv",
        lambda: (HEADER.replace("[d]", "[9**9**9 s]") + "\n" + ROWS).encode(),
        "cannot read the unit '9**9**9 s'",
        "단위 '9**9**9 s'",
    ),
    "import": (
        "imp.csv",
        lambda: (HEADER.replace("[d]", "[__import__('os')]") + "\n" + ROWS).encode(),
        "row 1, column 'Time'",
        "1행, 'Time' 열",
    ),
    "huge value": (
        "huge.csv",
        lambda: (HEADER + "\n" + ROWS.replace("6.0", "1e308")).encode(),
        "row 2, column 'Glucose'",
        "2행, 'Glucose' 열",
    ),
    "NUL": (
        "nul.csv",
        lambda: (HEADER + "\n" + ROWS.replace("0.9", "0\x009")).encode(),
        "NUL byte",
        "NUL 바이트",
    ),
}


@pytest.fixture
def run(requested, people):
    actions.accept(by=people["evaluator"], evaluation=requested)
    actions.sign_protocol(by=people["approver"], evaluation=requested, password=PASSWORD)
    return actions.add_run(
        by=people["evaluator"], evaluation=requested, arm="candidate", label="C-1"
    )


def _nothing_written(run, settings, events_before: int) -> None:
    from bioproof.evaluations.models import StagedUpload

    assert not RunDataFile.objects.filter(run=run).exists()
    assert not StagedUpload.objects.exists()
    # a web upload is staged (hashed, audited) for the job; a refused file's staging is undone
    staging = {"run_data.staged", "run_data.staged_removed", "row.saved", "row.deleted"}
    new = AuditEvent.objects.order_by("seq")[events_before:]
    assert {e.action for e in new} <= staging
    assert {e.object_type for e in new} <= {"evaluations.stagedupload"}
    for folder in ("run-data", "run-tables", "job-uploads"):
        media = settings.MEDIA_ROOT / folder
        assert not media.exists() or not any(p.is_file() for p in media.rglob("*")), folder


@pytest.mark.parametrize("case", list(HOSTILE))
def test_api_answers_4xx_with_the_message(client, run, people, settings, case) -> None:
    filename, make, english, _korean = HOSTILE[case]
    client.force_login(people["evaluator"])
    before = AuditEvent.objects.count()
    response = client.post(
        f"/api/evaluations/{run.evaluation.code}/runs/{run.label}/data",
        {"file": SimpleUploadedFile(filename, make())},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400, response.content[:300]
    detail = response.json()["detail"]
    assert filename in detail and english in detail
    _nothing_written(run, settings, before)


@pytest.mark.parametrize("case", ["dimension bomb", "import", "NUL"])
def test_web_form_shows_the_korean_message(client, run, people, settings, case) -> None:
    filename, make, _english, korean = HOSTILE[case]
    client.force_login(people["evaluator"])
    before = AuditEvent.objects.count()
    response = client.post(
        f"/evaluations/{run.evaluation.code}/runs/{run.pk}/data/",
        {"file": SimpleUploadedFile(filename, make())},
        follow=True,
    )
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert filename in page and korean in page
    _nothing_written(run, settings, before)
