"""The web page of a run's instrument exports: the import form beside the CSV/XLSX upload, the
list of imported exports with their hashes and downloads, on the real export files of
tests/interop/data (allotropy's public test data, MIT)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bioproof.evaluations import actions as evaluations
from bioproof.evaluations.models import RunDataFile
from bioproof.interop import actions, instruments
from bioproof.interop.models import InstrumentFile
from tests.conftest import PASSWORD

DATA = Path(__file__).parent / "data"
VICELL = ("BECKMAN_VI_CELL_BLU", "derived_Vi-Cell-BLU_paired_with_cedex_v5.csv")
CEDEX = ("ROCHE_CEDEX_BIOHT", "roche_cedex_bioht_v5_example01.txt")
NANODROP = ("THERMO_FISHER_NANODROP_8000", "Thermo_NanoDrop_mRNA.txt")
TAPESTATION = ("AGILENT_TAPESTATION_ANALYSIS", "agilent_tapestation_analysis_example_03.xml")


def _file(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (DATA / name).read_bytes() if content is None else content)


def _client(user: Any = None, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


def _text(response: Any) -> str:
    import html

    return html.unescape(response.content.decode())


def _state(settings: Any) -> tuple[int, int, list[str]]:
    """InstrumentFile and RunDataFile rows, and every file in the store (temporary ones too)."""
    root = Path(settings.MEDIA_ROOT)
    stored = sorted(str(Path(d, f).relative_to(root)) for d, _s, fs in os.walk(root) for f in fs)
    return InstrumentFile.objects.count(), RunDataFile.objects.count(), stored


def _url(run: Any, tail: str = "") -> str:
    return f"/evaluations/{run.evaluation.code}/runs/{run.pk}/instrument-files/{tail}"


def _post(client: Client, run: Any, **fields: Any) -> Any:
    return client.post(_url(run), fields)


def _offline_pair() -> dict[str, Any]:
    """A cell counter and a bioanalyzer export of the same samples (offline layout, 8 rows)."""
    return {
        "instrument": VICELL[0],
        "files": _file(VICELL[1]),
        "instrument_2": CEDEX[0],
        "files_2": _file(CEDEX[1]),
    }


# --- success -------------------------------------------------------------------------------------


def test_operator_imports_cell_counter_and_bioanalyzer(run: Any, people: Any) -> None:
    center = _client(people["evaluator"])
    page = center.get(_url(run))
    assert page.status_code == 200
    text = _text(page)
    assert 'id="import-instruments"' in text and 'name="files"' in text and "multiple" in text
    # every supported instrument is offered, with the layout it feeds
    for key in instruments.SPECS:
        assert f'value="{key}"' in text
    assert "Beckman Coulter Vi-CELL BLU (cell counter) · .csv → Offline samples" in text
    assert "Cytiva UNICORN (chromatography) · .zip → Tracer pulse" in text
    # the CSV/XLSX upload sits beside it
    assert f"/evaluations/{run.evaluation.code}/runs/{run.pk}/data/" in text

    response = _post(
        center,
        run,
        **_offline_pair(),
    )
    assert response.status_code == 302 and response["Location"] == _url(run)
    data_file = RunDataFile.objects.get(run=run, is_current=True)
    assert (data_file.layout, data_file.version, data_file.n_rows) == ("offline", 1, 8)
    page = center.get(response["Location"])
    text = _text(page)
    assert (
        "2 instrument exports imported into run C1: data file C1-offline-instruments.csv v1 "
        "(offline), rows: 8." in text
    )
    kept = list(InstrumentFile.objects.filter(run=run).order_by("pk"))
    assert [k.instrument for k in kept] == [VICELL[0], CEDEX[0]]
    for item, (_i, name) in zip(kept, (VICELL, CEDEX), strict=True):
        raw = (DATA / name).read_bytes()
        assert item.raw_sha256 == hashlib.sha256(raw).hexdigest()
        assert item.raw_sha256 in text and item.asm_sha256 in text and name in text
        assert item.data_file == data_file
        download = center.get(_url(run, f"{item.pk}/raw"))
        assert download.status_code == 200 and b"".join(download.streaming_content) == raw
        assert name in download["Content-Disposition"]
        asm = center.get(_url(run, f"{item.pk}/asm.json"))
        body = b"".join(asm.streaming_content)
        assert asm["Content-Type"] == "application/json"
        assert hashlib.sha256(body).hexdigest() == item.asm_sha256
        assert "$asm.manifest" in json.loads(body)
    assert "offline v1" in text  # the data version each export fed
    # the evaluation's page links the run's exports
    detail = _text(center.get(f"/evaluations/{run.evaluation.code}/"))
    assert "Instrument exports (2)" in detail and _url(run) in detail


def test_several_files_and_qc_instruments_in_one_import(run: Any, people: Any) -> None:
    center = _client(people["evaluator"])
    response = _post(
        center,
        run,
        instrument=NANODROP[0],
        files=[_file(NANODROP[1]), _file("mRNA-repeat.txt", (DATA / NANODROP[1]).read_bytes())],
        instrument_2=TAPESTATION[0],
        files_2=_file(TAPESTATION[1]),
    )
    assert response.status_code == 302, _text(response)[:3000]
    data_file = RunDataFile.objects.get(run=run, is_current=True)
    assert data_file.layout == "qc"
    assert InstrumentFile.objects.filter(run=run, data_file=data_file).count() == 3
    text = _text(center.get(response["Location"]))
    assert f"data file {data_file.filename} v1 (qc), rows: {data_file.n_rows}." in text


def test_one_export_is_named_in_the_singular(run: Any, people: Any) -> None:
    center = _client(people["evaluator"])
    response = _post(center, run, instrument=NANODROP[0], files=_file(NANODROP[1]))
    text = _text(center.get(response["Location"]))
    assert "1 instrument export imported into run C1: data file C1-qc-instruments.csv v1" in text


def test_start_time_sets_the_hours_of_offline_samples(run: Any, people: Any) -> None:
    vicell = (DATA / VICELL[1]).read_bytes()
    first = min(
        m.time
        for m in instruments.measurements(instruments.convert(VICELL[0], VICELL[1], vicell))
        if m.time and m.values
    )
    start = (first - dt.timedelta(hours=2)).astimezone(ZoneInfo("Asia/Seoul"))
    start = start.replace(second=0, microsecond=0)
    response = _post(
        _client(people["evaluator"]),
        run,
        **_offline_pair(),
        start=start.strftime("%Y-%m-%dT%H:%M"),  # the datetime-local input, in Seoul time
    )
    assert response.status_code == 302
    data_file = RunDataFile.objects.get(run=run, is_current=True)
    assert data_file.table["time"][0] == pytest.approx((first - start).total_seconds() / 3600)


# --- bad input: the action's message on the re-rendered form, nothing kept -----------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"instrument": "NO_SUCH_INSTRUMENT", "files": lambda: _file(VICELL[1])},
            "Instrument 'NO_SUCH_INSTRUMENT' is not supported; supported: Beckman Coulter",
        ),
        (
            {"instrument": "NOVABIO_FLEX2", "files": lambda: _file(VICELL[1])},
            f"'{VICELL[1]}' is not a readable Nova Biomedical BioProfile FLEX2 (bioanalyzer) "
            "export",
        ),
        (
            {"instrument": VICELL[0], "files": lambda: _file(CEDEX[1])},
            f"'{CEDEX[1]}': a Beckman Coulter Vi-CELL BLU (cell counter) export is a .csv file.",
        ),
        (
            {
                "instrument": VICELL[0],
                "files": lambda: _file(VICELL[1]),
                "instrument_2": NANODROP[0],
                "files_2": lambda: _file(NANODROP[1]),
            },
            "These instruments feed different data layouts (offline, qc); import them separately.",
        ),
        (
            {
                "instrument": VICELL[0],
                "files": lambda: [_file(f"{n}.csv", b"x") for n in range(21)],
            },
            f"At most {actions.MAX_FILES_PER_IMPORT} instrument files per import.",
        ),
        (
            {
                "instrument": VICELL[0],
                "files": lambda: _file("big.csv", b"x" * (instruments.MAX_BYTES + 1)),
            },
            "File 'big.csv' is larger than 20 MB; nothing was saved.",
        ),
        (
            # a cell counter alone: the offline layout names the column it lacks
            {"instrument": VICELL[0], "files": lambda: _file("Beckman_Vi-Cell-BLU_example02.csv")},
            "Glucose",
        ),
        ({"instrument": VICELL[0]}, "Choose at least one instrument file."),
        ({"files": lambda: _file(VICELL[1])}, "Choose the instrument these files come from."),
        (
            {"instrument": VICELL[0], "files": lambda: _file(VICELL[1]), "start": "yesterday"},
            "Enter a valid date/time.",
        ),
    ],
    ids=[
        "unsupported",
        "not-convertible",
        "wrong-extension",
        "different-layouts",
        "too-many",
        "too-big",
        "layout-refuses-table",
        "no-file",
        "no-instrument",
        "bad-start",
    ],
)
def test_bad_input_shows_the_message_on_the_form(
    run: Any, people: Any, settings: Any, fields: dict[str, Any], message: str
) -> None:
    before = _state(settings)
    sent = {k: v() if callable(v) else v for k, v in fields.items()}
    response = _post(_client(people["evaluator"]), run, **sent)
    assert response.status_code == 200
    text = _text(response)
    assert 'id="import-instruments"' in text
    errors = " ".join(re.findall(r'<ul class="errorlist[^>]*>.*?</ul>', text, flags=re.S))
    assert message in errors, errors
    assert "Traceback" not in text
    assert _state(settings) == before


@pytest.mark.django_db(transaction=True)
def test_a_failure_after_writes_leaves_no_row_and_no_file(
    _reference_data: None, run: Any, people: Any, settings: Any, monkeypatch: Any
) -> None:
    """The data file row and the first export's raw and ASM files are written before the
    store fails on the second export's ASM: the action is one transaction, so the rows roll
    back and the pending files are dropped with it (real on-commit behaviour here). An earlier
    transactional test may have flushed the migration-made categories: ``_reference_data``
    puts them back first."""
    from bioproof.core import files
    from bioproof.core.errors import FileStoreError

    real_store = files.store
    seen: list[str] = []

    def store(source: Any, *, prefix: str, **kw: Any) -> Any:
        seen.append(prefix)
        if prefix == "instrument-asm" and seen.count(prefix) == 2:
            raise FileStoreError("The file store is full; nothing was saved.", field="file")
        return real_store(source, prefix=prefix, **kw)

    monkeypatch.setattr(files, "store", store)
    before = _state(settings)
    response = _post(
        _client(people["evaluator"]),
        run,
        **_offline_pair(),
    )
    assert response.status_code == 200
    assert "The file store is full; nothing was saved." in _text(response)
    # the run's data file and the first export were stored before the failure …
    assert seen.count("run-data") == 1 and seen.count("instrument-raw") == 2
    # … and none of it is left
    assert _state(settings) == before


# --- who may -------------------------------------------------------------------------------------


@pytest.fixture
def imported(run: Any, people: Any) -> InstrumentFile:
    _data_file, kept = actions.import_instrument_files(
        by=people["evaluator"],
        run=run,
        uploads=[(NANODROP[0], NANODROP[1], (DATA / NANODROP[1]).read_bytes())],
    )
    return kept[0]


def test_permission_matrix(run: Any, people: Any, imported: InstrumentFile, settings: Any) -> None:
    urls = [_url(run), _url(run, f"{imported.pk}/raw"), _url(run, f"{imported.pk}/asm.json")]
    before = _state(settings)
    # anonymous: to the login page, for the page, the downloads and the import
    for url in urls:
        response = _client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    anonymous = _post(_client(), run, instrument=VICELL[0], files=_file(VICELL[1]))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    # another center's staff and a demand company that is no party: nothing is there
    for who in ("other_center", "demand"):
        client = _client(people[who])
        assert [client.get(url).status_code for url in urls] == [404, 404, 404]
        assert _post(client, run, instrument=VICELL[0], files=_file(VICELL[1])).status_code == 404
    # the supplier of the product sees the run and its exports but may not import
    supplier = _client(people["a_staff"])
    page = supplier.get(_url(run))
    assert page.status_code == 200
    assert imported.asm_sha256 in _text(page) and 'id="import-instruments"' not in _text(page)
    assert [supplier.get(url).status_code for url in urls[1:]] == [200, 200]
    refused = _post(supplier, run, instrument=VICELL[0], files=_file(VICELL[1]))
    assert refused.status_code == 403
    assert "Only the evaluating center's staff may do this." in _text(refused)
    # the center's reviewer sees the run but is no operator (staff/evaluator) of it
    assert _post(_client(people["reviewer"]), run, instrument=VICELL[0]).status_code == 403
    assert _state(settings) == before
    # an export of another run is not served under this one
    other = evaluations.add_run(
        by=people["evaluator"], evaluation=run.evaluation, arm="reference", label="R1"
    )
    center = _client(people["evaluator"])
    assert center.get(_url(other, f"{imported.pk}/raw")).status_code == 404
    assert (
        center.get(f"/evaluations/EV-0000-0000/runs/{run.pk}/instrument-files/").status_code == 404
    )


def test_no_import_once_the_evaluation_is_not_editable(
    people: Any, with_data: Any, settings: Any
) -> None:
    evaluation = evaluations.analyse(by=people["evaluator"], evaluation=with_data)
    evaluations.sign(
        by=people["evaluator"], evaluation=evaluation, meaning="authored", password=PASSWORD
    )
    run = evaluation.runs.first()
    center = _client(people["evaluator"])
    assert 'id="import-instruments"' not in _text(center.get(_url(run)))
    before = _state(settings)
    response = _post(center, run, instrument=NANODROP[0], files=_file(NANODROP[1]))
    assert response.status_code == 200
    assert "can no longer be edited" in _text(response)
    assert _state(settings) == before


# --- Korean --------------------------------------------------------------------------------------


def test_korean_form_messages_and_success(run: Any, people: Any) -> None:
    center = _client(people["evaluator"], language="ko")
    text = _text(center.get(_url(run)))
    assert "장비 내보내기 파일 가져오기" in text and "C1 배치의 데이터" in text
    assert "Beckman Coulter Vi-CELL BLU (세포 계수기) · .csv → 오프라인 시료 (세포배양)" in text
    too_many = _post(
        center, run, instrument=VICELL[0], files=[_file(f"{n}.csv", b"x") for n in range(21)]
    )
    assert "한 번에 가져올 수 있는 장비 파일은 최대 20개입니다." in _text(too_many)
    wrong = _post(center, run, instrument="NOVABIO_FLEX2", files=_file(VICELL[1]))
    assert f"'{VICELL[1]}' 파일을 Nova Biomedical BioProfile FLEX2 (생화학 분석기)" in _text(wrong)
    no_instrument = _post(center, run, files=_file(VICELL[1]))
    assert "이 파일들을 내보낸 장비를 선택하십시오." in _text(no_instrument)
    done = _post(
        center,
        run,
        **_offline_pair(),
    )
    page = _text(center.get(done["Location"]))
    assert (
        "장비 내보내기 파일 2개를 C1 배치에 가져왔습니다: 데이터 파일 "
        "C1-offline-instruments.csv v1 (offline), 8행." in page
    )
