"""Training (교육훈련): providers, versioned courses, sessions, enrollment with a waitlist,
attendance, signed assessments, certificates (with an Open Badges 3.0 credential) and the
qualifications they grant.

Who sees what is in :mod:`bioproof.training.policy`; every write is in
:mod:`bioproof.training.actions`. Rules and formulas: docs/training.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from bioproof.consortium.models import Organization


def _lang_en() -> bool:
    return (get_language() or "ko").startswith("en")


class Provider(models.Model):
    """An organization that runs training (a center, a university, an association…)."""

    organization = models.OneToOneField(
        Organization, on_delete=models.PROTECT, related_name="training_provider"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name_ko"]
        verbose_name = _("training provider")
        verbose_name_plural = _("training providers")

    def __str__(self) -> str:
        return str(self.organization)


class CourseQuerySet(models.QuerySet["Course"]):
    def visible_to(self, user: Any) -> CourseQuerySet:
        from bioproof.training import policy

        return self.filter(policy.course_visibility(user))


class Course(models.Model):
    """A course of a provider; what it teaches lives in its versions."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="courses")
    code = models.CharField(_("course code"), max_length=30, unique=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    current_version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.code

    @property
    def current(self) -> CourseVersion:
        return self.versions.get(version=self.current_version)


class CourseVersion(models.Model):
    """One version of a course: content, pass rules and what a pass grants. A session runs one
    version; a revision is a new version and the earlier ones stay as they were."""

    class Level(models.TextChoices):
        BASIC = "basic", _("Basic")
        INTERMEDIATE = "intermediate", _("Intermediate")
        ADVANCED = "advanced", _("Advanced")

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    title_ko = models.CharField(_("title (Korean)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_ko = models.TextField(_("description (Korean)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    level = models.CharField(_("level"), max_length=14, choices=Level.choices)
    #: [{"title": str, "kind": "theory"|"practical", "hours": float}]
    modules = models.JSONField(_("modules"), default=list)
    #: [{"course": code}] or [{"qualification": key}]
    prerequisites = models.JSONField(_("prerequisites"), default=list, blank=True)
    fee_krw = models.PositiveIntegerField(_("fee (KRW)"), default=0)
    capacity = models.PositiveIntegerField(_("default capacity"))
    min_attendance_pct = models.FloatField(_("minimum attendance (%)"), default=100)
    min_score = models.FloatField(_("minimum theory score"), default=70)
    #: practical checklist items, each must be signed off
    checklist = models.JSONField(_("practical checklist"), default=list, blank=True)
    #: [{"key", "name_ko", "name_en", "validity_months": int|None, "lapse_months": int|None}]
    grants = models.JSONField(_("qualifications granted"), default=list, blank=True)
    certificate_validity_months = models.PositiveIntegerField(
        _("certificate validity (months)"), null=True, blank=True
    )
    cancellation_days = models.PositiveIntegerField(_("free cancellation until (days before)"))
    change_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "version"]
        verbose_name = _("course version")
        verbose_name_plural = _("course versions")
        constraints = [
            models.UniqueConstraint(fields=["course", "version"], name="unique_course_version")
        ]

    def __str__(self) -> str:
        return f"{self.course.code} v{self.version}"

    @property
    def title(self) -> str:
        return self.title_en if _lang_en() else self.title_ko

    @property
    def description(self) -> str:
        return self.description_en if _lang_en() else self.description_ko

    @property
    def theory_hours(self) -> float:
        return sum(float(m.get("hours", 0)) for m in self.modules if m.get("kind") == "theory")

    @property
    def practical_hours(self) -> float:
        return sum(float(m.get("hours", 0)) for m in self.modules if m.get("kind") == "practical")


class SessionQuerySet(models.QuerySet["Session"]):
    def visible_to(self, user: Any) -> SessionQuerySet:
        from bioproof.training import policy

        return self.filter(policy.session_visibility(user))


class Session(models.Model):
    """One run of a course version: dates, place, instructors and seats."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    code = models.CharField(max_length=20, unique=True)
    course_version = models.ForeignKey(
        CourseVersion, on_delete=models.PROTECT, related_name="sessions"
    )
    center = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="training_sessions"
    )
    room = models.CharField(_("room"), max_length=120, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    capacity = models.PositiveIntegerField(_("capacity"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        indexes = [models.Index(fields=["starts_on"])]

    def __str__(self) -> str:
        return self.code

    @property
    def course(self) -> Course:
        return self.course_version.course

    @property
    def days(self) -> list[dt.date]:
        n = (self.ends_on - self.starts_on).days
        return [self.starts_on + dt.timedelta(days=i) for i in range(n + 1)]

    @property
    def free_cancellation_until(self) -> dt.date:
        return self.starts_on - dt.timedelta(days=self.course_version.cancellation_days)

    def seats_taken(self) -> int:
        return self.enrollments.filter(status=Enrollment.Status.CONFIRMED).count()


class SessionInstructor(models.Model):
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="instructors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("instructor")
        verbose_name_plural = _("instructors")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="unique_session_instructor")
        ]

    def __str__(self) -> str:
        return f"{self.session.code}: {self.user}"


class EnrollmentQuerySet(models.QuerySet["Enrollment"]):
    def visible_to(self, user: Any) -> EnrollmentQuerySet:
        from bioproof.training import policy

        return self.filter(policy.enrollment_visibility(user))


class Enrollment(models.Model):
    """A trainee's seat (or place on the waitlist) in a session."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("Waitlisted")
        CANCELLED = "cancelled", _("Cancelled")

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="enrollments")
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_enrollments"
    )
    #: the trainee's employer when enrolling (a company nomination names it), or none
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    #: order on the waitlist (1, 2, …); kept after promotion as a record
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    certificate_name = models.CharField(_("name on the certificate"), max_length=200)
    publish_name = models.BooleanField(
        _("show my name on the public verification page"), default=False
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    late_cancellation = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["session", "id"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "trainee"],
                condition=~Q(status="cancelled"),
                name="one_active_enrollment_per_trainee",
            )
        ]
        indexes = [models.Index(fields=["session", "status"])]

    def __str__(self) -> str:
        return f"{self.session.code} · {self.certificate_name}"

    @property
    def current_assessment(self) -> Assessment | None:
        return self.assessments.filter(is_current=True).first()


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="attendance")
    day = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices)
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["enrollment", "day"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "day"], name="one_attendance_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.enrollment} {self.day} {self.status}"


class Assessment(models.Model):
    """A trainee's result: theory score, practical checklist and the attendance it was judged on.
    Final once the instructor signs; a correction is a new version with a reason."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FINAL = "final", _("Final (signed)")

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="assessments")
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    theory_score = models.FloatField(_("theory score"), null=True, blank=True)
    #: {item: true/false} for every item of the course version's checklist
    checklist = models.JSONField(_("practical checklist"), default=dict, blank=True)
    attendance_pct = models.FloatField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    correction_reason = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["enrollment", "version"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "version"], name="unique_assessment_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrollment} result v{self.version}"


class CertificateQuerySet(models.QuerySet["Certificate"]):
    def visible_to(self, user: Any) -> CertificateQuerySet:
        from bioproof.training import policy

        return self.filter(policy.certificate_visibility(user))


class Certificate(models.Model):
    """Issued on a pass (CT-…); verifiable publicly by its code and offline by its credential."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")

    code = models.CharField(max_length=20, unique=True)
    assessment = models.OneToOneField(
        Assessment, on_delete=models.PROTECT, related_name="certificate"
    )
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="certificates"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_certificates"
    )
    holder_name = models.CharField(max_length=200)
    publish_name = models.BooleanField(default=False)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="certificates")
    course_version = models.ForeignKey(
        CourseVersion, on_delete=models.PROTECT, related_name="certificates"
    )
    issued_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.VALID)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    credential_id = models.CharField(max_length=64)
    credential_jwt = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.code

    def state_on(self, day: dt.date) -> str:
        """'valid', 'expired' or 'revoked' on ``day``."""
        if self.status == self.Status.REVOKED:
            return "revoked"
        if self.expires_on is not None and day > self.expires_on:
            return "expired"
        return "valid"

    @property
    def public_holder_name(self) -> str:
        """The holder's name as consented: in full, or masked to its first letter."""
        if self.publish_name:
            return self.holder_name
        name = self.holder_name.strip()
        return (name[:1] + "*" * max(len(name) - 1, 2)) if name else "—"


class SupervisedUse(models.Model):
    """Center staff sign that a person operated an equipment class under supervision; it grants
    (or renews) that qualification."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(_("equipment class or unit operation"), max_length=60)
    name_ko = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    center = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    used_on = models.DateField()
    hours = models.FloatField()
    validity_months = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["-used_on", "-id"]
        verbose_name = _("supervised use")
        verbose_name_plural = _("supervised uses")

    def __str__(self) -> str:
        return f"{self.person} {self.key} {self.used_on}"


class QualificationQuerySet(models.QuerySet["Qualification"]):
    def visible_to(self, user: Any) -> QualificationQuerySet:
        from bioproof.training import policy

        return self.filter(policy.qualification_visibility(user))


class Qualification(models.Model):
    """A person's right to operate an equipment class (or run a unit operation), from a
    certificate or a signed supervised use, with an expiry and an optional lapse for disuse.

    Ask :func:`bioproof.training.qualifications.is_valid` (or :meth:`Qualification.is_valid`).
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REVOKED = "revoked", _("Revoked")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="qualifications"
    )
    key = models.CharField(max_length=60)
    name_ko = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    certificate = models.ForeignKey(
        Certificate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="qualifications",
    )
    supervised_use = models.ForeignKey(
        SupervisedUse,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="qualifications",
    )
    granted_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    lapse_months = models.PositiveIntegerField(null=True, blank=True)
    last_used_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    revoked_reason = models.TextField(blank=True)

    objects = QualificationQuerySet.as_manager()

    class Meta:
        ordering = ["person", "key", "-granted_on"]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        indexes = [models.Index(fields=["person", "key"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.key}"

    @property
    def name(self) -> str:
        return self.name_en if _lang_en() else self.name_ko

    @classmethod
    def is_valid(cls, person: Any, equipment_class: str, at: dt.datetime | None = None) -> bool:
        """See :func:`bioproof.training.qualifications.is_valid`."""
        from bioproof.training import qualifications

        return qualifications.is_valid(person, equipment_class, at=at)


class Reminder(models.Model):
    """An expiry reminder recorded for a qualification (90, 60 or 30 days before)."""

    qualification = models.ForeignKey(
        Qualification, on_delete=models.PROTECT, related_name="reminders"
    )
    threshold_days = models.PositiveSmallIntegerField()
    expires_on = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["qualification", "threshold_days", "expires_on"],
                name="one_reminder_per_threshold",
            )
        ]

    def __str__(self) -> str:
        return f"{self.qualification} −{self.threshold_days} d"
