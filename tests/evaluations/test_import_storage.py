"""Raw-data import: parsed tables stored as Parquet in the file store (hash on the row, covered
by audit verify), sensor logs beyond the general upload limit streamed to a hashed staged upload
and parsed by the job queue with progress, and the upload limits per endpoint."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from bioproof.analysis import tabular
from bioproof.evaluations import actions, results, rundata
from bioproof.evaluations import jobs as eval_jobs
from bioproof.evaluations.models import Evaluation, Run, RunDataFile, StagedUpload
from bioproof.jobs.models import JobRun
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _sensor_log(rows: int) -> bytes:
    t = np.arange(rows, dtype=float)
    frame = pd.DataFrame(
        {
            "Time [s]": t,
            "pH": np.round(7 + 0.01 * np.sin(t / 50), 3),
            "DO [%]": np.round(40 + np.cos(t / 70), 2),
            "Temperature [°F]": 98.6,
        }
    )
    return frame.to_csv(index=False).encode()


def test_parsed_tables_are_parquet_files_whose_hash_the_row_holds(with_data: Evaluation) -> None:
    files = list(RunDataFile.objects.filter(run__evaluation=with_data))
    assert files
    for f in files:
        assert f.table_file.name.startswith("run-tables/") and f.table_file.name.endswith(
            ".parquet"
        )
        with default_storage.open(f.table_file.name, "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == f.table_sha256
        fresh = RunDataFile.objects.get(pk=f.pk)  # read back from the store, not the cache
        with default_storage.open(f.file.name, "rb") as raw:
            parsed = pd.read_csv(raw)
        assert fresh.n_rows == len(parsed) == len(fresh.table["time"])
        assert fresh.table["time"][-1] == pytest.approx(parsed.iloc[-1, 0] * 24)  # d → h
        assert fresh.table == f.table
        assert list(fresh.frame().columns) == list(f.table)


def test_preview_thins_a_long_table_for_plots() -> None:
    frame = pd.DataFrame({"time": np.arange(10_001.0), "do": np.r_[np.nan, np.ones(10_000)]})
    small = rundata.preview(frame, 100)
    assert len(small) == 100
    assert small["time"].iloc[0] == 0 and small["time"].iloc[-1] == 10_000
    assert np.all(np.diff(small["time"]) > 0)
    blob = rundata.table_to_parquet(frame)
    assert blob[:4] == b"PAR1"
    assert results.frame_to_table(frame)["do"][:2] == [None, 1.0]


def test_migration_turns_json_tables_into_parquet_and_back(with_data: Evaluation) -> None:
    """The data migration's two functions over rows shaped as the historical model's."""
    import importlib
    from types import SimpleNamespace

    migration = importlib.import_module(
        "bioproof.evaluations.migrations.0007_run_tables_parquet_importer"
    )
    tables = [f.table for f in RunDataFile.objects.filter(run__evaluation=with_data)]
    rows = [
        SimpleNamespace(table=t, filename=f"r{i}.csv", table_file="", table_sha256="", saved=[])
        for i, t in enumerate(tables)
    ]
    for row in rows:
        row.save = lambda update_fields, row=row: row.saved.append(tuple(update_fields))

    class Rows:
        def using(self, alias: str) -> Rows:
            return self

        def filter(self, **kw: Any) -> Rows:
            return self

        def exclude(self, **kw: Any) -> Rows:
            return self

        def iterator(self, chunk_size: int) -> list[Any]:
            return rows

    model = SimpleNamespace(objects=Rows())
    apps = SimpleNamespace(get_model=lambda app, name: model)
    editor = SimpleNamespace(connection=SimpleNamespace(alias="default"))
    migration.tables_to_parquet(apps, editor)
    for row, table in zip(rows, tables, strict=True):
        assert row.saved == [("table_file", "table_sha256")]
        with default_storage.open(row.table_file, "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == row.table_sha256
        assert results.frame_to_table(rundata.read_frame(row.table_file)) == table
        row.table_file = SimpleNamespace(name=row.table_file)
        row.table = None
    migration.parquet_to_tables(apps, editor)
    assert [row.table for row in rows] == tables


@pytest.fixture
def online_run(people: dict[str, Any], requested: Evaluation) -> Run:
    actions.accept(by=people["evaluator"], evaluation=requested)
    actions.sign_protocol(by=people["approver"], evaluation=requested, password=PASSWORD)
    return actions.add_run(
        by=people["evaluator"], evaluation=requested, arm="candidate", label="C1"
    )


def test_a_sensor_log_above_the_general_limit_is_staged_hashed_and_parsed_by_a_job(
    client: Any, people: dict[str, Any], online_run: Run, settings: Any, monkeypatch: Any
) -> None:
    data = _sensor_log(20_000)
    settings.BIOPROOF_MAX_UPLOAD_BYTES = len(data) // 4  # the general limit: well below the log
    settings.BIOPROOF_SENSOR_LOG_MAX_BYTES = 10 * len(data)
    monkeypatch.setattr(tabular, "CHUNK_BYTES", 64 * 1024)  # several chunks: several steps
    monkeypatch.setattr(tabular, "POLARS_MIN_BYTES", 0)
    seen: list[str] = []
    real = eval_jobs.upload

    def watched(progress: Any, **kwargs: Any) -> Any:
        return real(lambda p, m="": (seen.append(m), progress(p, m)), **kwargs)

    monkeypatch.setattr(
        "bioproof.core.jobs._kinds", {**_kinds(), "evaluations.upload": _kind(watched)}
    )
    client.force_login(people["evaluator"])
    url = f"/evaluations/{online_run.evaluation.code}/runs/{online_run.pk}/data/"
    response = client.post(
        url, {"file": SimpleUploadedFile("log.csv", data), "layout": "online"}, follow=True
    )
    assert response.status_code == 200
    job = JobRun.objects.get(kind="evaluations.upload")
    assert job.status == JobRun.Status.SUCCEEDED, job.error
    stored = RunDataFile.objects.get(run=online_run, layout="online")
    assert stored.n_rows == 20_000 and stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.frame()["temperature"].to_numpy() == pytest.approx(np.full(20_000, 37.0))
    assert sum("MB" in m for m in seen) >= 3  # progress while parsing, chunk by chunk
    assert not StagedUpload.objects.exists()
    assert not default_storage.exists(job.arguments["staged"])  # the staged copy is gone
    # run again (a worker stopped after the commit): it finds the stored file, adds nothing
    again = eval_jobs.upload(lambda *a: None, by=people["evaluator"], **job.arguments)
    assert "20000" in again["message"]
    assert RunDataFile.objects.filter(run=online_run).count() == 1


def test_other_layouts_keep_the_small_limit_and_nothing_is_queued(
    client: Any, people: dict[str, Any], online_run: Run, settings: Any
) -> None:
    data = _sensor_log(5_000)
    settings.BIOPROOF_MAX_UPLOAD_BYTES = len(data) // 4
    client.force_login(people["evaluator"])
    url = f"/evaluations/{online_run.evaluation.code}/runs/{online_run.pk}/data/"
    page = client.post(
        url, {"file": SimpleUploadedFile("log.csv", data), "layout": "offline"}, follow=True
    )
    text = page.content.decode()
    assert "log.csv" in text and " MB" in text  # "… is larger than N MB; nothing was saved."
    assert not JobRun.objects.exists() and not StagedUpload.objects.exists()


def test_a_staged_file_is_verified_and_a_bad_log_is_not_kept(
    people: dict[str, Any], online_run: Run, settings: Any
) -> None:
    staged = actions.stage_run_data(
        by=people["evaluator"],
        run=online_run,
        filename="bad.csv",
        data=b"Time [s],pH\n0,7\n1,x\n",
        layout="online",
    )
    assert staged.file.name.startswith("job-uploads/")
    Path(settings.MEDIA_ROOT, staged.file.name).write_bytes(b"forged")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="evaluations_stagedupload"):
        call_command("audit", "verify", "--files", "--quiet")
    Path(settings.MEDIA_ROOT, staged.file.name).write_bytes(b"Time [s],pH\n0,7\n1,x\n")
    from bioproof.core.errors import DomainError

    with pytest.raises(DomainError, match="row 3, column 'pH': 'x' is not a number"):
        eval_jobs.upload(
            lambda *a: None,
            by=people["evaluator"],
            run_id=online_run.pk,
            filename="bad.csv",
            layout="online",
            staged=staged.file.name,
            staged_id=staged.pk,
            sha256=staged.sha256,
        )
    assert not StagedUpload.objects.exists() and not RunDataFile.objects.exists()


def test_upload_limit_middleware_allows_large_bodies_only_to_run_data(settings: Any) -> None:
    from django.http import HttpResponse
    from django.test import RequestFactory

    from bioproof.core.files import UploadLimitMiddleware

    settings.BIOPROOF_MAX_UPLOAD_BYTES = 1024 * 1024
    settings.BIOPROOF_SENSOR_LOG_MAX_BYTES = 100 * 1024 * 1024
    middleware = UploadLimitMiddleware(lambda request: HttpResponse("view"))

    def status(path: str, mib: int) -> int:
        request = RequestFactory().post(path, CONTENT_LENGTH=str(mib * 1024 * 1024))
        return middleware(request).status_code

    assert status("/api/products/", 50) == 413
    assert status("/evaluations/EV-2026-0001/", 50) == 413
    assert status("/evaluations/EV-2026-0001/runs/7/data/", 50) == 200
    assert status("/api/evaluations/EV-2026-0001/runs/C 1/data", 50) == 200
    assert status("/evaluations/EV-2026-0001/runs/7/data/", 200) == 413
    assert status("/api/products/", 1) == 200


def _kinds() -> dict[str, Any]:
    from bioproof.core import jobs

    return dict(jobs._kinds)


def _kind(fn: Any) -> Any:
    from bioproof.core import jobs

    old = jobs._kinds["evaluations.upload"]
    return jobs.JobKind(old.name, fn, old.title, old.atomic)


def test_the_api_queues_a_sensor_log_and_answers_202(
    client: Any, people: dict[str, Any], online_run: Run
) -> None:
    client.force_login(people["evaluator"])
    response = client.post(
        f"/api/evaluations/{online_run.evaluation.code}/runs/{online_run.label}/data?layout=online",
        {"file": SimpleUploadedFile("log.csv", _sensor_log(500))},
    )
    assert response.status_code == 202, response.content[:300]
    body = response.json()
    job = JobRun.objects.get(pk=body["job"])
    assert body["status_url"] == f"/jobs/{job.pk}/status.json"
    assert job.status == JobRun.Status.SUCCEEDED, job.error  # the immediate backend in tests
    assert RunDataFile.objects.get(run=online_run, layout="online").n_rows == 500
