"""Bad uploads get a message naming file, row and column, and write nothing."""

from __future__ import annotations

import pytest

from bioproof.core.errors import DomainError
from bioproof.core.models import AuditEvent
from bioproof.evaluations import actions
from bioproof.evaluations.models import RunDataFile

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db

GOOD = (
    "Time [d],VCD [1e6 cells/mL],Viability [%],Glucose [g/L],Lactate [g/L],Titer [mg/L]\n"
    "0,0.5,98,6.0,0.2,0\n"
    "1,0.9,98,5.8,0.5,20\n"
    "2,1.6,97,5.5,0.9,60\n"
    "3,2.8,97,5.0,1.2,130\n"
)
CASES = {
    "missing column": (
        GOOD.replace(",Lactate [g/L]", "").replace(",0.2,", ",", 1),
        "bad.csv",
        ["bad.csv", "row 1", "lactate"],
    ),
    "non-numeric": (
        GOOD.replace("1.6,97", "abc,97"),
        "bad.csv",
        ["bad.csv", "row 4", "VCD", "abc"],
    ),
    "negative VCD": (GOOD.replace("2.8,97", "-2.8,97"), "neg.csv", ["neg.csv", "row 5", "VCD"]),
    "times out of order": (
        GOOD.replace("\n2,1.6", "\n0.5,1.6"),
        "order.csv",
        ["order.csv", "row 4", "Time"],
    ),
}


@pytest.fixture
def run(requested, people):
    actions.accept(by=people["evaluator"], evaluation=requested)
    actions.sign_protocol(by=people["approver"], evaluation=requested, password=PASSWORD)
    return actions.add_run(
        by=people["evaluator"], evaluation=requested, arm="candidate", label="C-1"
    )


def _assert_nothing_written(run, settings) -> None:
    assert not RunDataFile.objects.filter(run=run).exists()
    assert not AuditEvent.objects.filter(action="run_data.uploaded").exists()
    media = settings.MEDIA_ROOT / "run-data"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


@pytest.mark.parametrize("case", list(CASES))
def test_action_names_file_row_column(run, people, settings, case) -> None:
    text, filename, expected = CASES[case]
    with pytest.raises(DomainError) as exc:
        actions.upload_run_data(
            by=people["evaluator"], run=run, filename=filename, data=text.encode()
        )
    message = str(exc.value)
    for fragment in expected:
        assert fragment.lower() in message.lower(), (case, message)
    _assert_nothing_written(run, settings)


@pytest.mark.parametrize("case", list(CASES))
def test_web_upload_shows_message(client, run, people, settings, case) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    text, filename, expected = CASES[case]
    client.force_login(people["evaluator"])
    response = client.post(
        f"/evaluations/{run.evaluation.code}/runs/{run.pk}/data/",
        {"file": SimpleUploadedFile(filename, text.encode(), content_type="text/csv")},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    row = expected[1].split()[1]  # the page is in Korean (the default language): "4행"
    assert filename in page and f"{row}행" in page
    _assert_nothing_written(run, settings)


@pytest.mark.parametrize("case", list(CASES))
def test_api_upload_answers_400(client, run, people, settings, case) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    text, filename, _expected = CASES[case]
    client.force_login(people["evaluator"])
    response = client.post(
        f"/api/evaluations/{run.evaluation.code}/runs/{run.label}/data",
        {"file": SimpleUploadedFile(filename, text.encode(), content_type="text/csv")},
    )
    assert response.status_code == 400
    assert filename in response.json()["detail"]
    _assert_nothing_written(run, settings)


def test_unsupported_and_empty_files(run, people, settings) -> None:
    with pytest.raises(DomainError, match=r"data\.txt"):
        actions.upload_run_data(
            by=people["evaluator"], run=run, filename="data.txt", data=GOOD.encode()
        )
    with pytest.raises(DomainError, match="empty"):
        actions.upload_run_data(by=people["evaluator"], run=run, filename="e.csv", data=b"")
    with pytest.raises(DomainError):
        actions.upload_run_data(
            by=people["evaluator"],
            run=run,
            filename="broken.xlsx",
            data=b"PK\x03\x04 not really a workbook",
        )
    _assert_nothing_written(run, settings)


def test_xlsx_upload_is_parsed(run, people) -> None:
    from bioproof.evaluations.samples import fed_batch_xlsx

    data_file = actions.upload_run_data(
        by=people["evaluator"], run=run, filename="C-1.xlsx", data=fed_batch_xlsx(seed=3)
    )
    assert data_file.n_rows == 15
    assert data_file.table["time"][-1] == pytest.approx(14 * 24)  # days → hours
    assert data_file.table["titer"][-1] < 20  # mg/L → g/L
