"""Evidence packages: RO-Crate zips with DataCite metadata, an audit excerpt anchored by signed
checkpoints and a signed manifest (:mod:`.build`), verified offline by :mod:`.verify`."""

from __future__ import annotations

from typing import Any


def asm_members(
    files: list[Any], members: dict[str, bytes], describe: dict[str, dict[str, Any]]
) -> list[tuple[str, list[Any]]]:
    """Add the Allotrope ASM documents converted from the instrument exports behind ``files``
    (run data files) to ``members``; return the (model label, pks) whose audit events belong
    to the package."""
    from bioproof.core.files import safe_filename
    from bioproof.interop.models import InstrumentFile

    found = list(
        InstrumentFile.objects.filter(data_file__in=[f.pk for f in files]).select_related(
            "data_file__run"
        )
    )
    index = []
    for item in found:
        run = item.data_file.run
        base = f"asm/{run.pk}-{safe_filename(run.label)}/{item.pk}"
        with item.raw.open("rb") as fh:
            members[f"{base}/raw-{item.raw_filename}"] = fh.read()
        with item.asm.open("rb") as fh:
            members[f"{base}/asm.json"] = fh.read()
        describe[f"{base}/asm.json"] = {
            "encodingFormat": "application/json",
            "conformsTo": item.asm_manifest,
            "description": f"Allotrope ASM converted by allotropy {item.converter_version} from "
            f"the {item.get_instrument_display()} export",
        }
        index.append(
            {
                "path": f"{base}/asm.json",
                "raw_path": f"{base}/raw-{item.raw_filename}",
                "object_type": "interop.instrumentfile",
                "id": item.pk,
                "instrument": item.instrument,
                "raw_sha256": item.raw_sha256,
                "sha256": item.asm_sha256,
            }
        )
    if index:
        import json

        members["asm/files.json"] = (json.dumps({"files": index}, indent=1) + "\n").encode()
    return [("interop.instrumentfile", [i.pk for i in found])]
