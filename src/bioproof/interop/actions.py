"""Interop actions (the only writers): instrument files in."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import PurePath
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bioproof.core import files
from bioproof.core.audit import record
from bioproof.core.errors import DomainError
from bioproof.core.policy import require
from bioproof.interop import instruments, policy
from bioproof.interop.errors import InstrumentFileError
from bioproof.interop.models import InstrumentFile

MAX_FILES_PER_IMPORT = 20

Upload = tuple[str, str, bytes]  # (instrument, filename, content)


def _read(upload: Any) -> bytes:
    _instrument, filename, data = upload
    return files.read_limited(data, filename=filename, max_bytes=instruments.MAX_BYTES)


def _keep(
    *,
    by: Any,
    instrument: str,
    filename: str,
    data: bytes,
    asm: dict[str, Any],
    organization: Any,
    summary: dict[str, Any],
    run: Any = None,
    data_file: Any = None,
) -> InstrumentFile:
    """Store the raw export and its ASM beside it (both hashed) and record them."""
    name = PurePath(filename).name[:200] or "export"
    raw = files.store(data, prefix="instrument-raw", filename=name, max_bytes=instruments.MAX_BYTES)
    asm_bytes = json.dumps(asm, ensure_ascii=False, sort_keys=True, indent=1).encode()
    stored = files.store(asm_bytes, prefix="instrument-asm", filename=f"{PurePath(name).stem}.json")
    item = InstrumentFile.objects.create(
        instrument=instrument,
        converter_version=instruments.converter_version(),
        raw=raw.name,
        raw_filename=files.safe_filename(name),
        raw_sha256=raw.sha256,
        raw_size=raw.size,
        asm=stored.name,
        asm_sha256=stored.sha256,
        asm_size=stored.size,
        asm_manifest=str(asm.get("$asm.manifest", ""))[:300],
        summary=summary,
        organization=organization,
        run=run,
        data_file=data_file,
        uploaded_by=by,
    )
    record(
        actor=by,
        action="instrument_file.converted" if run is None else "instrument_file.imported",
        obj=item,
        organization=organization,
        after={
            "instrument": instrument,
            "raw_sha256": raw.sha256,
            "asm_sha256": stored.sha256,
            "run": getattr(run, "pk", None),
            "data_file": getattr(data_file, "pk", None),
        },
    )
    return item


def _summary(items: list[instruments.Measurement]) -> dict[str, Any]:
    with_values = [m for m in items if m.values]
    return {
        "measurements": len(items),
        "samples": sorted({m.sample for m in with_values if m.sample})[:200],
        "quantities": sorted({k for m in with_values for k in m.values})[:50],
    }


@transaction.atomic
def convert_instrument_file(
    *, by: Any, instrument: str, filename: str, data: Any, organization: Any
) -> InstrumentFile:
    """Convert one export to ASM and keep both (not imported into a run)."""
    require(
        policy.is_center_staff(by) and by.is_member_of(organization),
        _("Only a demonstration center's staff may convert instrument files."),
    )
    raw = _read((instrument, filename, data))
    asm = instruments.convert(instrument, filename, raw)
    return _keep(
        by=by,
        instrument=instrument,
        filename=filename,
        data=raw,
        asm=asm,
        organization=organization,
        summary=_summary(instruments.measurements(asm)),
    )


@transaction.atomic
def import_instrument_files(
    *, by: Any, run: Any, uploads: list[Upload], start: dt.datetime | None = None
) -> tuple[Any, list[InstrumentFile]]:
    """Import instrument exports into a run: each is converted to ASM (kept beside it), their
    measurements are laid out as the run's data of the instruments' layout (offline samples,
    QC results or a chromatography pulse) and uploaded as a new version of that layout through
    the evaluations' own upload action. Everything or nothing: a file that does not convert,
    or a table the layout refuses, leaves nothing behind."""
    from bioproof.evaluations.actions import upload_run_data
    from bioproof.evaluations.actions._common import require_editable, require_operator

    evaluation = run.evaluation
    require_operator(by, evaluation)
    require_editable(evaluation)
    if not uploads:
        raise DomainError(_("Choose at least one instrument file."), field="file")
    if len(uploads) > MAX_FILES_PER_IMPORT:
        raise DomainError(
            _("At most %(n)d instrument files per import.") % {"n": MAX_FILES_PER_IMPORT},
            field="file",
        )
    layouts = {instruments.spec(instrument).layout for instrument, _f, _d in uploads}
    if len(layouts) > 1:
        raise InstrumentFileError(
            _("These instruments feed different data layouts (%(l)s); import them separately.")
            % {"l": ", ".join(sorted(layouts))},
            field="instrument",
        )
    layout = layouts.pop()
    converted = []
    for instrument, filename, data in uploads:
        raw = _read((instrument, filename, data))
        asm = instruments.convert(instrument, filename, raw)
        converted.append((instrument, filename, raw, asm, instruments.measurements(asm)))
    if layout == "offline":
        rows = instruments.offline_rows(
            [(filename, items) for _i, filename, _r, _a, items in converted], start=start
        )
        table = instruments.offline_csv(rows)
    elif layout == "qc":
        table = b"".join(
            instruments.qc_csv(i, items)[(0 if n == 0 else len(b"Test,Result,Specification\n")) :]
            for n, (i, _f, _r, _a, items) in enumerate(converted)
        )
    else:
        if len(converted) != 1:
            raise InstrumentFileError(_("Import one chromatography file per run."), field="file")
        table = instruments.pulse_csv(converted[0][3])
    data_file = upload_run_data(
        by=by,
        run=run,
        filename=f"{files.safe_filename(run.label)}-{layout}-instruments.csv",
        data=table,
        layout=layout,
    )
    kept = [
        _keep(
            by=by,
            instrument=instrument,
            filename=filename,
            data=raw,
            asm=asm,
            organization=evaluation.center,
            summary=_summary(items),
            run=run,
            data_file=data_file,
        )
        for instrument, filename, raw, asm, items in converted
    ]
    return data_file, kept
