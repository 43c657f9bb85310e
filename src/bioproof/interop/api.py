"""Partner API of interop (``/api/v1/interop/…``, also under ``/api/``): instrument files,
evidence packages, webhooks, token scopes, the open-data catalogue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from bioproof.consortium.models import ApiToken, Organization
from bioproof.core.errors import DomainError
from bioproof.core.pagination import LimitOffsetPagination
from bioproof.core.policy import get_visible_or_404
from bioproof.evaluations.models import Run
from bioproof.interop import actions, instruments, webhooks
from bioproof.interop.models import InstrumentFile, WebhookDelivery, WebhookSubscription
from bioproof.interop.packages import build
from bioproof.search.api import viewer

router = Router()


class InstrumentFileOut(Schema):
    id: int
    instrument: str
    raw_filename: str
    raw_sha256: str
    asm_sha256: str
    asm_manifest: str
    converter_version: str
    run_id: int | None
    data_file_id: int | None
    summary: dict[str, Any]
    created_at: dt.datetime


class ImportOut(Schema):
    data_file_id: int
    layout: str
    rows: int
    files: list[InstrumentFileOut]


class InstrumentOut(Schema):
    key: str
    name: str
    layout: str
    extensions: list[str]


@router.get("/instruments", response=list[InstrumentOut], auth=None)
def list_instruments(request: HttpRequest) -> Any:
    """The instrument exports BioProof converts, and the data layout each one feeds."""
    return [
        {
            "key": key,
            "name": instruments.label(key),
            "layout": s.layout,
            "extensions": list(s.extensions),
        }
        for key, s in instruments.SPECS.items()
    ]


@router.get("/instrument-files", response=list[InstrumentFileOut])
@paginate(LimitOffsetPagination)
def list_instrument_files(request: HttpRequest) -> Any:
    return InstrumentFile.objects.visible_to(request.auth).order_by("-id")


@router.post("/runs/{run_id}/instrument-files", response={201: ImportOut})
def import_instrument_files(
    request: HttpRequest,
    run_id: int,
    instrument: Form[list[str]],
    files: File[list[UploadedFile]],
) -> Any:
    """Import instrument exports into a run (one ``instrument`` per file, in order)."""
    from bioproof.evaluations.models import Evaluation

    run = Run.objects.select_related("evaluation").filter(pk=run_id).first()
    if (
        run is None
        or not Evaluation.objects.visible_to(request.auth).filter(pk=run.evaluation_id).exists()
    ):
        raise DomainError(_("Run not found."), field="run_id")
    if len(instrument) != len(files):
        raise DomainError(_("Give one instrument per file."), field="instrument")
    uploads = [
        (i, f.name or "export", f.read(instruments.MAX_BYTES + 1))
        for i, f in zip(instrument, files, strict=True)
    ]
    data_file, kept = actions.import_instrument_files(by=request.auth, run=run, uploads=uploads)
    return Status(
        201,
        {
            "data_file_id": data_file.pk,
            "layout": data_file.layout,
            "rows": data_file.n_rows,
            "files": kept,
        },
    )


@router.get("/track-records/{code}/evidence-package", auth=None)
def track_record_package(request: HttpRequest, code: str) -> HttpResponse:
    """The evidence package (RO-Crate zip) of a public track record."""
    record = build.track_record_for(code, viewer(request))
    response = HttpResponse(build.track_record_package(record), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{code}-evidence.zip"'
    return response


@router.get("/catalog", auth=None)
def open_data_catalogue(request: HttpRequest) -> JsonResponse:
    """The DCAT JSON-LD catalogue of public records (also at /open-data/catalog.jsonld)."""
    from bioproof.interop.catalogue import catalogue

    return JsonResponse(catalogue(), json_dumps_params={"ensure_ascii": False})


# --- webhooks ----------------------------------------------------------------------------------


class WebhookIn(Schema):
    organization: str = Field(description="organization code", max_length=40)
    url: str = Field(max_length=500)
    event_types: list[str] = Field(max_length=50)


class WebhookOut(Schema):
    id: int
    organization_id: int
    url: str
    event_types: list[str]
    is_active: bool
    created_at: dt.datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(description="the signing secret, shown this once")


class DeliveryOut(Schema):
    id: int
    event_type: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str
    delivered_at: dt.datetime | None
    log: list[dict[str, Any]]
    payload: dict[str, Any]


class EventTypeOut(Schema):
    key: str
    description: str


@router.get("/webhooks/event-types", response=list[EventTypeOut], auth=None)
def event_types(request: HttpRequest) -> Any:
    return [{"key": k, "description": str(v)} for k, v in webhooks.EVENT_TYPES.items()]


@router.get("/webhooks", response=list[WebhookOut])
@paginate(LimitOffsetPagination)
def list_webhooks(request: HttpRequest) -> Any:
    return WebhookSubscription.objects.visible_to(request.auth).order_by("-id")


@router.post("/webhooks", response={201: WebhookCreated})
def create_webhook(request: HttpRequest, payload: WebhookIn) -> Any:
    org = Organization.objects.filter(code=payload.organization).first()
    if org is None:
        raise DomainError(
            _("Unknown organization '%(c)s'.") % {"c": payload.organization[:40]},
            field="organization",
        )
    sub, secret = actions.create_webhook(
        by=request.auth, organization=org, url=payload.url, event_types=payload.event_types
    )
    return Status(201, {**WebhookOut.from_orm(sub).dict(), "secret": secret})


@router.post("/webhooks/{pk}/deactivate", response=WebhookOut)
def deactivate_webhook(request: HttpRequest, pk: int) -> Any:
    sub = get_visible_or_404(WebhookSubscription.objects, request.auth, pk=pk)
    return actions.deactivate_webhook(by=request.auth, subscription=sub)


@router.get("/webhooks/{pk}/deliveries", response=list[DeliveryOut])
@paginate(LimitOffsetPagination)
def list_deliveries(request: HttpRequest, pk: int) -> Any:
    sub = get_visible_or_404(WebhookSubscription.objects, request.auth, pk=pk)
    return WebhookDelivery.objects.visible_to(request.auth).filter(subscription=sub)


# --- token scopes ------------------------------------------------------------------------------


class ScopeIn(Schema):
    scopes: list[str] = Field(max_length=30)
    per_minute: int = Field(120, ge=1, le=10000)


class ScopeOut(Schema):
    token: str
    scopes: list[str]
    per_minute: int


@router.put("/tokens/{prefix}/scopes", response=ScopeOut)
def set_scopes(request: HttpRequest, prefix: str, payload: ScopeIn) -> Any:
    """Limit one of your API tokens (named by its prefix) to scopes and a rate."""
    token = ApiToken.objects.filter(
        user=request.auth, prefix=prefix, revoked_at__isnull=True
    ).first()
    if token is None:
        raise DomainError(
            _("You have no active token '%(p)s'.") % {"p": prefix[:40]}, field="prefix"
        )
    scope = actions.set_token_scopes(
        by=request.auth, token=token, scopes=payload.scopes, per_minute=payload.per_minute
    )
    return {"token": token.prefix, "scopes": scope.scopes, "per_minute": scope.per_minute}


# --- SBOL3 -------------------------------------------------------------------------------------


class SbolMatchOut(Schema):
    implementations: list[dict[str, str]]
    components: list[dict[str, str]]
    attachments: list[dict[str, Any]]


def _evaluation_for_sbol(request: HttpRequest, code: str) -> Any:
    from bioproof.evaluations.models import Evaluation, TrackRecord

    user = viewer(request)
    evaluation = Evaluation.objects.visible_to(user).filter(code=code, is_current=True).first()
    if evaluation is None:
        record = (
            TrackRecord.objects.public()
            .filter(evaluation__code=code, evaluation__is_current=True)
            .select_related("evaluation")
            .first()
        )
        if record is None or record.evaluation.need_is_confidential:
            from bioproof.interop.errors import NotFound

            raise NotFound(f"no evaluation {code} visible to you")
        evaluation = record.evaluation
    return evaluation


@router.get("/evaluations/{code}/sbol3", auth=None)
def evaluation_sbol3(request: HttpRequest, code: str) -> HttpResponse:
    """The evaluation's materials and data as SBOL3 (sorted N-Triples): its parties, or anyone
    for a public track record."""
    from bioproof.interop import sbol

    evaluation = _evaluation_for_sbol(request, code)
    response = HttpResponse(
        sbol.evaluation_document(evaluation), content_type="application/n-triples"
    )
    response["Content-Disposition"] = f'attachment; filename="{code}.sbol3.nt"'
    return response


@router.post("/sbol3/match", response=SbolMatchOut)
def sbol3_match(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """Read a partner's SBOL3 document: its implementations, components and attachments, and
    which attachments are data you can see here (same SHA-256)."""
    from bioproof.interop import sbol

    imported = sbol.read_document(file.read(sbol.MAX_BYTES + 1), file.name or "document")
    return {
        "implementations": imported.implementations,
        "components": imported.components,
        "attachments": sbol.match_attachments(imported, request.auth),
    }


# --- biofoundry projects -----------------------------------------------------------------------


class StepIn(Schema):
    level: str = Field(description="service, workflow or unit_operation", max_length=16)
    code: str = Field(description="the biofoundry's code, e.g. WB010, UHW100", max_length=20)
    name: str = Field("", max_length=200)
    parent: str | None = Field(None, description="the parent step's code", max_length=20)
    evaluation: str | None = Field(None, description="an evaluation code to link", max_length=20)


class StepOut(Schema):
    level: str
    code: str
    name: str
    parent: str | None
    evaluation: str | None
    bookings: list[str] = Field(description="linked facilities bookings you may see")
    facility_projects: list[str] = Field(
        description="linked process-development projects you may see"
    )


class LinkIn(Schema):
    booking: str | None = Field(None, description="a booking code (BK-…)", max_length=20)
    facility_project: str | None = Field(
        None, description="a process-development project code", max_length=20
    )


class ProjectIn(Schema):
    organization: str = Field(max_length=40)
    code: str = Field(max_length=40)
    title: str = Field(max_length=200)


class ProjectOut(Schema):
    code: str
    title: str
    organization: str
    steps: list[StepOut]


def _project_out(project: Any, user: Any = None) -> dict[str, Any]:
    from bioproof.interop.models import BiofoundryLink

    steps = project.steps.select_related("parent", "evaluation").order_by("id")
    bookings: dict[int, list[str]] = {}
    projects: dict[int, list[str]] = {}
    links = (
        BiofoundryLink.objects.visible_to(user)
        .filter(step__project=project)
        .select_related("booking", "facility_project")
        .order_by("id")
    )
    for link in links:
        if link.booking_id:
            bookings.setdefault(link.step_id, []).append(link.booking.code)
        else:
            projects.setdefault(link.step_id, []).append(link.facility_project.code)
    return {
        "code": project.code,
        "title": project.title,
        "organization": project.organization.code,
        "steps": [
            {
                "level": s.level,
                "code": s.code,
                "name": s.name,
                "parent": s.parent.code if s.parent else None,
                "evaluation": s.evaluation.code if s.evaluation else None,
                "bookings": bookings.get(s.pk, []),
                "facility_projects": projects.get(s.pk, []),
            }
            for s in steps
        ],
    }


@router.get("/biofoundry/projects", response=list[ProjectOut])
@paginate(LimitOffsetPagination)
def list_projects(request: HttpRequest, code: str = "") -> Any:
    """Projects you may see; ``code`` finds a project, service, workflow or unit operation
    code, or the code of a linked booking or process-development project you may see (exact,
    case-insensitive)."""
    from django.db.models import Exists, OuterRef, Q

    from bioproof.interop.models import BiofoundryLink, BiofoundryProject, BiofoundryStep

    qs = BiofoundryProject.objects.visible_to(request.auth).select_related("organization")
    code = code.strip()[:40]
    if code:
        step = BiofoundryStep.objects.filter(project_id=OuterRef("pk"), code__iexact=code)
        link = BiofoundryLink.objects.visible_to(request.auth).filter(
            Q(booking__code__iexact=code) | Q(facility_project__code__iexact=code),
            step__project_id=OuterRef("pk"),
        )
        qs = qs.filter(Q(code__iexact=code) | Q(Exists(step)) | Q(Exists(link)))
    return [_project_out(p, request.auth) for p in qs.order_by("code")[:200]]


@router.post("/biofoundry/projects", response={201: ProjectOut})
def create_project(request: HttpRequest, payload: ProjectIn) -> Any:
    org = Organization.objects.filter(code=payload.organization).first()
    if org is None:
        raise DomainError(
            _("Unknown organization '%(c)s'.") % {"c": payload.organization[:40]},
            field="organization",
        )
    project = actions.create_biofoundry_project(
        by=request.auth, organization=org, code=payload.code, title=payload.title
    )
    return Status(201, _project_out(project, request.auth))


@router.post("/biofoundry/projects/{code}/steps", response={201: ProjectOut})
def add_step(request: HttpRequest, code: str, payload: StepIn) -> Any:
    from bioproof.evaluations.models import Evaluation
    from bioproof.interop.models import BiofoundryProject

    project = get_visible_or_404(BiofoundryProject.objects, request.auth, code=code)
    parent = None
    if payload.parent:
        parent = project.steps.filter(code=payload.parent.upper()).order_by("id").first()
        if parent is None:
            raise DomainError(
                _("%(code)s has no step '%(step)s'.")
                % {"code": project.code, "step": payload.parent[:40]},
                field="parent",
            )
    evaluation = None
    if payload.evaluation:
        evaluation = (
            Evaluation.objects.visible_to(request.auth)
            .filter(code=payload.evaluation, is_current=True)
            .first()
        )
        if evaluation is None:
            raise DomainError(
                _("Unknown evaluation '%(c)s'.") % {"c": payload.evaluation[:40]},
                field="evaluation",
            )
    actions.add_biofoundry_step(
        by=request.auth,
        project=project,
        level=payload.level,
        code=payload.code,
        name=payload.name,
        parent=parent,
        evaluation=evaluation,
    )
    return Status(201, _project_out(project, request.auth))


@router.post("/biofoundry/projects/{code}/steps/{step}/links", response={201: ProjectOut})
def link_step(request: HttpRequest, code: str, step: str, payload: LinkIn) -> Any:
    """Link a step (by its code) to a booking or a process-development project you may see."""
    from bioproof.facilities.models import Booking, Project
    from bioproof.interop.models import BiofoundryProject

    project = get_visible_or_404(BiofoundryProject.objects, request.auth, code=code)
    target = project.steps.filter(code=step.strip().upper()).order_by("id").first()
    if target is None:
        raise DomainError(f"no step '{step[:20]}' in {project.code}", field="step")
    booking = facility_project = None
    if payload.booking:
        booking = Booking.objects.visible_to(request.auth).filter(code=payload.booking).first()
        if booking is None:
            raise DomainError(f"no booking '{payload.booking}'", field="booking")
    if payload.facility_project:
        facility_project = (
            Project.objects.visible_to(request.auth).filter(code=payload.facility_project).first()
        )
        if facility_project is None:
            raise DomainError(
                f"no process-development project '{payload.facility_project}'",
                field="facility_project",
            )
    actions.link_biofoundry_step(
        by=request.auth, step=target, booking=booking, facility_project=facility_project
    )
    return Status(201, _project_out(project, request.auth))
