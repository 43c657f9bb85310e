"""Pages of training: catalogue, sessions and enrollment, attendance, results, certificates,
the public verification page, a trainee's own record."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bioproof.consortium.models import Organization
from bioproof.core.exports import filtered_list
from bioproof.core.policy import get_visible_or_404, is_platform_admin
from bioproof.core.web import attempt, paginate
from bioproof.training import actions, documents, policy, reporting
from bioproof.training.filters import COURSE_COLUMNS, CourseFilter
from bioproof.training.forms import (
    AttendanceCsvForm,
    CourseForm,
    EnrollForm,
    GrantFormSet,
    ModuleFormSet,
    NominateForm,
    OptionalReasonForm,
    PasswordForm,
    ReasonForm,
    ResultForm,
    SessionForm,
    VerifyCertificateForm,
)
from bioproof.training.models import (
    Attendance,
    Certificate,
    Course,
    Enrollment,
    Provider,
    Session,
)
from bioproof.training.verify import public_record


def _denied(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "core/denied.html", {"message": message}, status=403)


def _session(request: HttpRequest, code: str) -> Session:
    return get_visible_or_404(
        Session.objects.select_related("course_version__course__provider__organization", "center"),
        request.user,
        code=code,
    )


def _enrollment(request: HttpRequest, pk: int) -> Enrollment:
    return get_visible_or_404(
        Enrollment.objects.select_related(
            "session__course_version__course__provider__organization", "trainee", "organization"
        ),
        request.user,
        pk=pk,
    )


def _admin_orgs(request: HttpRequest) -> list[Organization]:
    return list(Organization.objects.filter(pk__in=policy.admin_org_ids(request.user)))


# ---------------------------------------------------------------------------- catalogue


def course_list(request: HttpRequest) -> HttpResponse:
    courses = (
        Course.objects.visible_to(request.user)
        .select_related("provider__organization")
        .prefetch_related("versions")
    )
    filterset, page, export = filtered_list(
        request, CourseFilter, courses, columns=COURSE_COLUMNS, filename="courses", per_page=50
    )
    if export is not None:
        return export
    rows = [(c, next(v for v in c.versions.all() if v.version == c.current_version)) for c in page]
    upcoming = (
        Session.objects.visible_to(request.user)
        .filter(ends_on__gte=timezone.localdate(), status=Session.Status.SCHEDULED)
        .select_related("course_version__course", "center")
        .order_by("starts_on", "id")[:30]
    )
    return render(
        request,
        "training/course_list.html",
        {
            "rows": rows,
            "page": page,
            "filter": filterset,
            "upcoming": upcoming,
            "can_create": bool(creatable_providers(request.user)),
        },
    )


def course_detail(request: HttpRequest, code: str) -> HttpResponse:
    course = get_visible_or_404(
        Course.objects.select_related("provider__organization"), request.user, code=code
    )
    version = course.current
    asked = request.GET.get("version")
    if asked and asked.isdigit():
        version = course.versions.filter(version=int(asked)).first() or version
    sessions = (
        Session.objects.filter(course_version__course=course)
        .select_related("course_version", "center")
        .order_by("-starts_on")
    )
    return render(
        request,
        "training/course_detail.html",
        {
            "course": course,
            "version": version,
            "sessions": sessions,
            "can_manage": policy.is_provider_staff(request.user, course.provider),
        },
    )


@login_required
def session_create(request: HttpRequest, code: str) -> HttpResponse:
    course = get_visible_or_404(
        Course.objects.select_related("provider__organization"), request.user, code=code
    )
    if not policy.is_provider_staff(request.user, course.provider):
        return _denied(request, _("You do not plan this provider's sessions."))
    form = SessionForm(request.POST or None, provider_org=course.provider.organization)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        session = attempt(
            request,
            actions.create_session,
            form=form,
            by=request.user,
            course=course,
            center=d["center"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            capacity=d["capacity"],
            room=d["room"],
            instructors=list(d["instructors"]),
        )
        if session:
            return redirect("training_session", session.code)
    return render(request, "training/session_form.html", {"course": course, "form": form})


# ---------------------------------------------------------------------------- sessions


def session_detail(request: HttpRequest, code: str) -> HttpResponse:
    session = _session(request, code)
    user = request.user
    provider = session.course_version.course.provider
    visible = (
        Enrollment.objects.visible_to(user)
        .filter(session=session)
        .select_related("trainee", "organization")
    )
    mine = (
        visible.filter(trainee_id=user.pk).exclude(status="cancelled").first()
        if (user.is_authenticated)
        else None
    )
    admin_orgs = _admin_orgs(request) if user.is_authenticated else []
    is_staff = policy.is_provider_staff(user, provider)
    return render(
        request,
        "training/session_detail.html",
        {
            "session": session,
            "version": session.course_version,
            "seats_taken": session.seats_taken(),
            "waitlisted": session.enrollments.filter(status="waitlisted").count(),
            "mine": mine,
            "enrollments": visible.order_by("status", "waitlist_position", "id"),
            "enroll_form": EnrollForm(initial={"certificate_name": user.get_full_name()})
            if user.is_authenticated
            else None,
            "nominate_forms": [(o, NominateForm(organization=o)) for o in admin_orgs],
            "is_staff": is_staff,
            "is_instructor": policy.is_instructor(user, session),
            "sign_form": PasswordForm(),
            "instructors": session.instructors.select_related("user"),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def session_enroll(request: HttpRequest, code: str) -> HttpResponse:
    session = _session(request, code)
    form = EnrollForm(request.POST)
    if form.is_valid():
        enrollment = attempt(
            request,
            actions.enroll,
            by=request.user,
            session=session,
            certificate_name=form.cleaned_data["certificate_name"],
            publish_name=form.cleaned_data["publish_name"],
        )
        if enrollment is not None:
            if enrollment.status == "confirmed":
                messages.success(request, _("You are enrolled in %(c)s.") % {"c": session.code})
            else:
                messages.info(
                    request,
                    _("The session is full: you are number %(n)d on the waitlist.")
                    % {"n": enrollment.waitlist_position},
                )
    return redirect("training_session", session.code)


@login_required
@require_POST
def session_nominate(request: HttpRequest, code: str, org: str) -> HttpResponse:
    session = _session(request, code)
    organization = Organization.objects.filter(code=org).first()
    if organization is None or not policy.is_org_admin(request.user, organization):
        return _denied(request, _("Only an org admin nominates staff, for their own organization."))
    form = NominateForm(request.POST, organization=organization)
    if form.is_valid():
        attempt(
            request,
            actions.enroll,
            by=request.user,
            session=session,
            trainee=form.cleaned_data["trainee"],
            organization=organization,
            success=_("Nomination recorded."),
        )
    else:
        messages.error(request, _("Choose a staff member of your organization."))
    return redirect("training_session", session.code)


@login_required
@require_POST
def enrollment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = _enrollment(request, pk)
    form = OptionalReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    attempt(
        request,
        actions.cancel_enrollment,
        by=request.user,
        enrollment=enrollment,
        reason=reason,
        success=_("Enrollment cancelled."),
    )
    return redirect("training_session", enrollment.session.code)


@login_required
def session_attendance(request: HttpRequest, code: str) -> HttpResponse:
    session = _session(request, code)
    if not policy.is_instructor(request.user, session):
        return _denied(request, _("Only an instructor of this session records attendance."))
    today = timezone.localdate()
    days = [d for d in session.days if d <= today]
    enrollments = list(
        session.enrollments.filter(status="confirmed").select_related("trainee").order_by("id")
    )
    csv_form = AttendanceCsvForm()
    if request.method == "POST" and "file" in request.FILES:
        csv_form = AttendanceCsvForm(request.POST, request.FILES)
        if csv_form.is_valid():
            data = csv_form.cleaned_data["file"].read(actions.MAX_CSV_BYTES + 1)
            count = attempt(
                request,
                actions.import_attendance,
                form=csv_form,
                by=request.user,
                session=session,
                data=data,
            )
            if count is not None:
                messages.success(request, _("%(n)d attendance records imported.") % {"n": count})
                return redirect("training_attendance", session.code)
    elif request.method == "POST":
        records = []
        for e in enrollments:
            for d in days:
                value = request.POST.get(f"att-{e.pk}-{d.isoformat()}", "")
                if value:
                    records.append((e, d, value, ""))
        count = attempt(
            request, actions.record_attendance, by=request.user, session=session, records=records
        )
        if count is not None:
            messages.success(request, _("Attendance saved (%(n)d changes).") % {"n": count})
            return redirect("training_attendance", session.code)
    marks = {
        (a.enrollment_id, a.day): a.status
        for a in Attendance.objects.filter(enrollment__in=enrollments)
    }
    grid = [(e, [(d, marks.get((e.pk, d), "")) for d in days]) for e in enrollments]
    return render(
        request,
        "training/attendance.html",
        {
            "session": session,
            "days": days,
            "grid": grid,
            "statuses": Attendance.Status.choices,
            "csv_form": csv_form,
        },
    )


@login_required
@require_POST
def session_sign_results(request: HttpRequest, code: str) -> HttpResponse:
    """The instructor signs every draft result of the session with one password."""
    session = _session(request, code)
    form = PasswordForm(request.POST)
    if form.is_valid():
        signed = attempt(
            request,
            actions.sign_session_results,
            by=request.user,
            session=session,
            password=form.cleaned_data["password"],
        )
        if signed is not None:
            messages.success(
                request,
                _("%(n)d results signed, %(p)d passed.")
                % {"n": len(signed), "p": sum(1 for r in signed if r.passed)},
            )
    else:
        messages.error(request, _("Enter your password to sign."))
    return redirect("training_session", session.code)


# ---------------------------------------------------------------------------- results


@login_required
def enrollment_result(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = _enrollment(request, pk)
    session = enrollment.session
    version = session.course_version
    instructor = policy.is_instructor(request.user, session)
    staff = policy.is_provider_staff(request.user, version.course.provider)
    current = enrollment.current_assessment
    form = ResultForm(
        request.POST or None,
        items=version.checklist,
        initial={
            "theory_score": current.theory_score
            if current and current.theory_score is not None
            else "",
            "checklist": [k for k, v in (current.checklist if current else {}).items() if v],
        },
    )
    password_form = PasswordForm()
    correction_form = ReasonForm()
    if request.method == "POST":
        op = request.POST.get("op")
        if op in ("save", "sign") and not instructor:
            return _denied(request, _("Only an instructor of this session records results."))
        if op in ("save", "sign") and form.is_valid():
            saved = attempt(
                request,
                actions.save_assessment,
                form=form,
                by=request.user,
                enrollment=enrollment,
                theory_score=form.cleaned_data["theory_score"],
                checklist=form.cleaned_data["checklist"],
            )
            if saved is not None and op == "sign":
                password_form = PasswordForm(request.POST)
                if password_form.is_valid():
                    signed = attempt(
                        request,
                        actions.sign_assessment,
                        form=password_form,
                        by=request.user,
                        enrollment=enrollment,
                        password=password_form.cleaned_data["password"],
                    )
                    if signed is not None:
                        messages.success(
                            request,
                            _("Result signed: pass.")
                            if signed.passed
                            else _("Result signed: not passed."),
                        )
                        return redirect("training_result", enrollment.pk)
            elif saved is not None:
                messages.success(request, _("Result saved (draft)."))
                return redirect("training_result", enrollment.pk)
        elif op == "correct":
            correction_form = ReasonForm(request.POST)
            if correction_form.is_valid() and attempt(
                request,
                actions.start_correction,
                form=correction_form,
                by=request.user,
                enrollment=enrollment,
                reason=correction_form.cleaned_data["reason"],
                success=_("Correction started: a new draft version."),
            ):
                return redirect("training_result", enrollment.pk)
    return render(
        request,
        "training/result.html",
        {
            "enrollment": enrollment,
            "session": session,
            "version": version,
            "current": current,
            "history": enrollment.assessments.order_by("-version"),
            "attendance_pct": actions.attendance_pct(enrollment),
            "form": form,
            "password_form": password_form,
            "correction_form": correction_form,
            "instructor": instructor,
            "staff": staff,
            "certificates": enrollment.certificates.order_by("-id"),
        },
    )


# ---------------------------------------------------------------------------- certificates


def _certificate(request: HttpRequest, code: str) -> Certificate:
    return get_visible_or_404(
        Certificate.objects.select_related(
            "course_version__course", "provider__organization", "enrollment__session", "holder"
        ),
        request.user,
        code=code,
    )


def verify_url(request: HttpRequest, code: str) -> str:
    return f"{actions.public_url()}{reverse('training_verify_code', args=[code])}"


@login_required
def certificate_detail(request: HttpRequest, code: str) -> HttpResponse:
    cert = _certificate(request, code)
    return render(
        request,
        "training/certificate_detail.html",
        {
            "cert": cert,
            "state": cert.state_on(timezone.localdate()),
            "qualifications": cert.qualifications.order_by("key"),
            "is_holder": cert.holder_id == request.user.pk,
            "can_revoke": cert.status == "valid"
            and (
                policy.is_provider_staff(request.user, cert.provider)
                or is_platform_admin(request.user)
            ),
            "revoke_form": ReasonForm(),
            "verify_url": verify_url(request, cert.code),
        },
    )


@login_required
def certificate_pdf(request: HttpRequest, code: str) -> HttpResponse:
    cert = _certificate(request, code)
    pdf = documents.certificate_pdf(cert, verify_url(request, cert.code))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{cert.code}.pdf"'
    return response


@login_required
def certificate_credential(request: HttpRequest, code: str) -> HttpResponse:
    cert = _certificate(request, code)
    if cert.holder_id != request.user.pk:
        return _denied(request, _("Only the holder downloads the credential."))
    response = HttpResponse(cert.credential_jwt, content_type="application/jwt")
    response["Content-Disposition"] = f'attachment; filename="{cert.code}.jwt"'
    return response


@login_required
@require_POST
def certificate_revoke(request: HttpRequest, code: str) -> HttpResponse:
    cert = _certificate(request, code)
    form = ReasonForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            actions.revoke_certificate,
            by=request.user,
            certificate=cert,
            reason=form.cleaned_data["reason"],
            success=_("Certificate revoked."),
        )
    else:
        messages.error(request, _("Give the reason for the revocation."))
    return redirect("training_certificate", cert.code)


def verify(request: HttpRequest) -> HttpResponse:
    form = VerifyCertificateForm(request.GET or None)
    if form.is_valid():
        return redirect("training_verify_code", form.cleaned_data["code"].strip().upper())
    return render(request, "training/verify.html", {"form": form, "record": None})


def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    """Public, no login: the certificate's status, holder as consented, what it unlocks."""
    record = public_record(code)
    form = VerifyCertificateForm(initial={"code": code})
    status = 200 if record else 404
    return render(
        request,
        "training/verify.html",
        {"form": form, "record": record, "searched": True, "code": code},
        status=status,
    )


# ---------------------------------------------------------------------------- my training


@login_required
def my_training(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    certs = Certificate.objects.filter(holder=user).select_related("course_version__course")
    staff_enrollments = None
    orgs = policy.admin_org_ids(user)
    if orgs:
        staff_enrollments = paginate(
            request,
            Enrollment.objects.filter(organization_id__in=orgs)
            .exclude(trainee=user)
            .select_related("session__course_version__course", "trainee", "organization")
            .order_by("-session__starts_on", "id"),
        )
    provider_sessions = (
        Session.objects.filter(
            course_version__course__provider__organization_id__in=user.organization_ids
        )
        .select_related("course_version__course")
        .order_by("-starts_on")[:50]
    )
    teaching = (
        Session.objects.filter(instructors__user=user)
        .select_related("course_version__course")
        .order_by("-starts_on")[:50]
    )
    return render(
        request,
        "training/my_training.html",
        {
            "enrollments": Enrollment.objects.filter(trainee=user)
            .select_related("session__course_version__course")
            .order_by("-session__starts_on"),
            "certificates": [(c, c.state_on(today)) for c in certs],
            "qualifications": reporting.transcript(user)["qualifications"],
            "staff_page": staff_enrollments,
            "provider_sessions": provider_sessions,
            "teaching": teaching,
        },
    )


@login_required
def transcript_json(request: HttpRequest) -> HttpResponse:
    data = reporting.transcript(request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="transcript.json"'
    return response


@login_required
def transcript_pdf(request: HttpRequest) -> HttpResponse:
    pdf = documents.transcript_pdf(reporting.transcript(request.user))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="transcript.pdf"'
    return response


def creatable_providers(user: Any) -> list[Provider]:
    """The training providers whose courses ``user`` may create (their staff)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        p
        for p in Provider.objects.filter(
            is_active=True, organization_id__in=user.organization_ids
        ).select_related("organization")
        if policy.is_provider_staff(user, p)
    ]


def _course_form_page(
    request: HttpRequest, form: CourseForm, modules: Any, grants: Any, course: Any = None
) -> HttpResponse:
    return render(
        request,
        "training/course_form.html",
        {"form": form, "modules": modules, "grants": grants, "course": course},
    )


def _formset_errors(form: CourseForm, modules: Any, grants: Any) -> bool:
    """Validate the form and both formsets (all of them, so every error is shown at once)."""
    return bool(form.is_valid() & modules.is_valid() & grants.is_valid())


@login_required
def course_create(request: HttpRequest) -> HttpResponse:
    """A provider's staff draft a course (version 1) through the training actions."""
    providers = creatable_providers(request.user)
    if not providers:
        return render(
            request,
            "core/denied.html",
            {"message": _("Only training providers' staff create courses.")},
            status=403,
        )
    queryset = Provider.objects.filter(pk__in=[p.pk for p in providers])
    data = request.POST or None
    form = CourseForm(data, providers=queryset)
    modules = ModuleFormSet(data, prefix="modules")
    grants = GrantFormSet(data, prefix="grants")
    if request.method == "POST" and _formset_errors(form, modules, grants):
        course = attempt(
            request,
            actions.create_course,
            form=form,
            by=request.user,
            provider=form.cleaned_data["provider"],
            code=form.cleaned_data["code"],
            success=_("Course drafted; publish it when it is ready."),
            **form.version_fields(modules, grants),
        )
        if course is not None:
            return redirect("training_course", code=course.code)
    return _course_form_page(request, form, modules, grants)


@login_required
def course_revise(request: HttpRequest, code: str) -> HttpResponse:
    """A new version of a course (sessions already planned keep theirs), with a reason."""
    course = get_visible_or_404(
        Course.objects.select_related("provider__organization"), request.user, code=code
    )
    if not policy.is_provider_staff(request.user, course.provider):
        return render(
            request,
            "core/denied.html",
            {"message": _("You do not manage this provider's courses.")},
            status=403,
        )
    current = course.current
    data = request.POST or None
    form = CourseForm(data, course=course, initial=CourseForm.initial_for(current))
    # bound formsets take no initial (a row equal to its initial would count as unchanged
    # and be dropped)
    modules = ModuleFormSet(data, prefix="modules", initial=None if data else current.modules)
    grants = GrantFormSet(data, prefix="grants", initial=None if data else current.grants)
    if request.method == "POST" and _formset_errors(form, modules, grants):
        version = attempt(
            request,
            actions.revise_course,
            form=form,
            by=request.user,
            course=course,
            reason=form.cleaned_data["reason"],
            success=_("Version saved."),
            **form.version_fields(modules, grants),
        )
        if version is not None:
            return redirect("training_course", code=course.code)
    return _course_form_page(request, form, modules, grants, course)
