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

#: (instrument, filename, content): the bytes, or an uploaded file that is read bounded (its
#: declared size refused before a byte is read).
Upload = tuple[str, str, files.Source]


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


# --- partner API: token scopes, webhooks ---------------------------------------------------------

SCOPE_MODULES = (
    "products",
    "evaluations",
    "track-records",
    "needs",
    "proposals",
    "adoptions",
    "product-documents",
    "search",
    "training",
    "interop",
)


def _valid_scopes(scopes: list[str]) -> list[str]:
    allowed = {"read", "write"} | {f"{m}:{x}" for m in ("read", "write") for x in SCOPE_MODULES}
    cleaned = sorted({str(s).strip() for s in scopes if str(s).strip()})
    bad = [s for s in cleaned if s not in allowed]
    if bad or not cleaned:
        raise DomainError(
            _(
                "Unknown scope(s) %(bad)s; use read, write, read:<module> or write:<module> with "
                "a module of %(modules)s."
            )
            % {"bad": ", ".join(bad) or "—", "modules": ", ".join(SCOPE_MODULES)},
            field="scopes",
        )
    return cleaned


@transaction.atomic
def set_token_scopes(*, by: Any, token: Any, scopes: list[str], per_minute: int = 120) -> Any:
    """Limit an API token to ``scopes`` and ``per_minute`` requests (its owner decides)."""
    from bioproof.core.locking import lock
    from bioproof.core.policy import is_platform_admin
    from bioproof.interop.models import ApiTokenScope

    token = lock(token)
    require(
        token.user_id == getattr(by, "pk", None) or is_platform_admin(by),
        _("Only the token's owner may set its scopes."),
    )
    if token.revoked_at is not None:
        raise DomainError(_("This token is revoked."))
    if not 1 <= int(per_minute) <= 10_000:
        raise DomainError(
            _("The rate limit must be between 1 and 10000 per minute."), field="per_minute"
        )
    cleaned = _valid_scopes(scopes)
    scope, _created = ApiTokenScope.objects.update_or_create(
        token=token, defaults={"scopes": cleaned, "per_minute": int(per_minute), "set_by": by}
    )
    record(
        actor=by,
        action="api_token.scoped",
        obj=scope,
        organization=by.primary_organization,
        after={"token": token.prefix, "scopes": cleaned, "per_minute": int(per_minute)},
    )
    return scope


@transaction.atomic
def create_webhook(
    *, by: Any, organization: Any, url: str, event_types: list[str]
) -> tuple[Any, str]:
    """Subscribe ``organization``'s endpoint to ``event_types``; answers the subscription and
    its signing secret (shown once)."""
    import secrets

    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    from bioproof.interop import webhooks
    from bioproof.interop.models import WebhookSubscription

    require(
        policy.is_org_admin(by, organization),
        _("Only an org admin of %(org)s may manage its webhooks.") % {"org": organization},
    )
    url = (url or "").strip()
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        raise DomainError(_("'%(u)s' is not a URL.") % {"u": url[:100]}, field="url") from None
    try:
        webhooks.check_destination(url)
    except webhooks.DestinationRefused as exc:
        raise DomainError(
            _("The endpoint is refused: %(why)s.") % {"why": exc}, field="url"
        ) from None
    types = sorted(set(event_types or []))
    unknown = [t for t in types if t not in webhooks.EVENT_TYPES]
    if unknown or not types:
        raise DomainError(
            _("Unknown event type(s) %(bad)s; choose from %(all)s.")
            % {"bad": ", ".join(unknown) or "—", "all": ", ".join(webhooks.EVENT_TYPES)},
            field="event_types",
        )
    secret = "whsec_" + secrets.token_urlsafe(32)
    sub = WebhookSubscription.objects.create(
        organization=organization, url=url, event_types=types, secret=secret, created_by=by
    )
    record(
        actor=by,
        action="webhook.subscribed",
        obj=sub,
        organization=organization,
        after={"url": url, "event_types": types},
    )
    return sub, secret


@transaction.atomic
def deactivate_webhook(*, by: Any, subscription: Any) -> Any:
    from bioproof.core.locking import lock

    subscription = lock(subscription)
    require(
        policy.is_org_admin(by, subscription.organization),
        _("Only an org admin of %(org)s may manage its webhooks.")
        % {"org": subscription.organization},
    )
    if not subscription.is_active:
        raise DomainError(_("This webhook is already inactive."))
    subscription.is_active = False
    subscription.save(update_fields=["is_active"])
    record(
        actor=by,
        action="webhook.deactivated",
        obj=subscription,
        organization=subscription.organization,
        after={"is_active": False},
    )
    return subscription


# --- biofoundry projects -------------------------------------------------------------------------

CODE_RE = r"^[A-Z][A-Z0-9-]{1,19}$"
PARENT_LEVEL = {"service": None, "workflow": "service", "unit_operation": "workflow"}


def _code(value: str, what: str) -> str:
    import re

    code = (value or "").strip().upper()
    if not re.match(CODE_RE, code):
        raise DomainError(
            _(
                "%(what)s code '%(c)s' must be 2–20 capital letters, digits or hyphens, "
                "starting with a letter (e.g. WB010, UHW100)."
            )
            % {"what": what, "c": value[:40]},
            field="code",
        )
    return code


@transaction.atomic
def create_biofoundry_project(*, by: Any, organization: Any, code: str, title: str) -> Any:
    from bioproof.core.locking import unique_or_conflict
    from bioproof.interop.models import BiofoundryProject

    require(
        by.is_authenticated and by.is_member_of(organization),
        _("Only members of %(org)s may add its biofoundry projects.") % {"org": organization},
    )
    code = _code(code, _("Project"))
    title = (title or "").strip()[:200]
    if not title:
        raise DomainError(_("Give the project a title."), field="title")
    with unique_or_conflict(_("Project code %(c)s is taken.") % {"c": code}, field="code"):
        project = BiofoundryProject.objects.create(
            code=code, title=title, organization=organization, created_by=by
        )
    record(
        actor=by,
        action="biofoundry.project_created",
        obj=project,
        organization=organization,
        after={"code": code, "title": title},
    )
    return project


@transaction.atomic
def add_biofoundry_step(
    *,
    by: Any,
    project: Any,
    level: str,
    code: str,
    name: str,
    parent: Any = None,
    evaluation: Any = None,
) -> Any:
    """Add a service / workflow / unit operation code under its parent, optionally linked to an
    evaluation the user may see."""
    from bioproof.core.locking import lock, unique_or_conflict
    from bioproof.evaluations.models import Evaluation
    from bioproof.interop.models import BiofoundryStep

    project = lock(project)
    require(
        by.is_member_of(project.organization_id),
        _("Only members of %(org)s may change this project.") % {"org": project.organization},
    )
    if level not in PARENT_LEVEL:
        raise DomainError(_("Unknown level '%(l)s'.") % {"l": level[:30]}, field="level")
    want = PARENT_LEVEL[level]
    if (parent is None) != (want is None) or (
        parent is not None and (parent.project_id != project.pk or parent.level != want)
    ):
        raise DomainError(
            _("A %(level)s belongs under a %(parent)s of the same project.")
            % {"level": level.replace("_", " "), "parent": (want or "project").replace("_", " ")},
            field="parent",
        )
    if (
        evaluation is not None
        and not Evaluation.objects.visible_to(by).filter(pk=evaluation.pk).exists()
    ):
        raise DomainError(_("You cannot link an evaluation you cannot see."), field="evaluation")
    code = _code(code, level.replace("_", " ").capitalize())
    if BiofoundryStep.objects.filter(project=project, parent=parent, code=code).exists():
        # the project row is locked: this check and the write below cannot interleave
        from bioproof.core.errors import ConflictError

        raise ConflictError(
            _("Code %(c)s is already used at this place of the project.") % {"c": code},
            field="code",
        )
    with unique_or_conflict(
        _("Code %(c)s is already used at this place of the project.") % {"c": code}, field="code"
    ):
        step = BiofoundryStep.objects.create(
            project=project,
            parent=parent,
            level=level,
            code=code,
            name=(name or "").strip()[:200] or code,
            evaluation=evaluation,
        )
    record(
        actor=by,
        action="biofoundry.step_added",
        obj=step,
        organization=project.organization,
        after={
            "project": project.code,
            "level": level,
            "code": code,
            "parent": getattr(parent, "code", None),
            "evaluation": getattr(evaluation, "code", None),
        },
    )
    return step


@transaction.atomic
def link_biofoundry_step(
    *, by: Any, step: Any, booking: Any = None, facility_project: Any = None
) -> Any:
    """Link a biofoundry step to a facilities booking or a process-development project (exactly
    one) that ``by`` may see; ``by`` is a member of the biofoundry project's organization."""
    from bioproof.core.errors import ConflictError
    from bioproof.core.locking import lock, unique_or_conflict
    from bioproof.facilities.models import Booking, Project
    from bioproof.interop.models import BiofoundryLink

    project = lock(step.project)
    require(
        by.is_authenticated and by.is_member_of(project.organization_id),
        _("Only members of %(org)s may change this project.") % {"org": project.organization},
    )
    if (booking is None) == (facility_project is None):
        raise DomainError(
            _("Link the step to one booking or one process-development project."), field="target"
        )
    if booking is not None:
        if not Booking.objects.visible_to(by).filter(pk=booking.pk).exists():
            raise DomainError(_("You cannot link a booking you cannot see."), field="booking")
        target, field = booking, "booking"
    else:
        if not Project.objects.visible_to(by).filter(pk=facility_project.pk).exists():
            raise DomainError(
                _("You cannot link a process-development project you cannot see."),
                field="facility_project",
            )
        target, field = facility_project, "facility_project"
    taken = _("%(step)s is already linked to %(target)s.") % {
        "step": step.code,
        "target": target.code,
    }
    if BiofoundryLink.objects.filter(step=step, **{field: target}).exists():
        raise ConflictError(taken, field=field)  # the project row is locked
    with unique_or_conflict(taken, field=field):
        link = BiofoundryLink.objects.create(step=step, created_by=by, **{field: target})
    record(
        actor=by,
        action="biofoundry.step_linked",
        obj=link,
        organization=project.organization,
        after={"project": project.code, "step": step.code, field: target.code},
    )
    return link
