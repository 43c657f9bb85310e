"""Demonstration evaluations (실증 / 양산성능평가): request → runs → data → results → signatures
→ report → track record."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bioproof.catalog.models import Product
from bioproof.consortium.models import Organization


class EvaluationQuerySet(models.QuerySet["Evaluation"]):
    def visible_to(self, user: Any) -> EvaluationQuerySet:
        from bioproof.evaluations import policy

        return self.filter(policy.evaluation_visibility(user))

    def current(self) -> EvaluationQuerySet:
        return self.filter(is_current=True)


class Evaluation(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        INFO_REQUESTED = "info_requested", _("More information requested")
        REJECTED = "rejected", _("Rejected")
        PLANNING = "planning", _("Accepted — protocol in preparation")
        RUNNING = "running", _("Protocol signed — runs and data")
        ANALYSED = "analysed", _("Analysed")
        AUTHORED = "authored", _("Signed by author")
        REVIEWED = "reviewed", _("Reviewed")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published as track record")
        SUPERSEDED = "superseded", _("Superseded by a new version")
        CANCELLED = "cancelled", _("Request withdrawn by the requester")

    code = models.CharField(max_length=20, db_index=True)
    version = models.PositiveIntegerField(default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    is_current = models.BooleanField(default=True)
    correction_reason = models.TextField(blank=True)

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="evaluations")
    center = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="center_evaluations"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    need = models.ForeignKey(
        "demand.Need",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluations",
        help_text=_("the demand company's need this demand-tailored evaluation answers"),
    )
    demand_consent_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("when the demand company consented to publishing this version"),
    )
    demand_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    demand_consent_statement = models.TextField(blank=True)
    title = models.CharField(_("title"), max_length=200)
    reference_product = models.CharField(_("reference (incumbent) product"), max_length=200)
    scale = models.CharField(_("scale"), max_length=100)
    process_context = models.TextField(_("process context"), blank=True)

    template = models.ForeignKey(
        "MethodTemplate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    protocol = models.ForeignKey(
        "Protocol", null=True, blank=True, on_delete=models.PROTECT, related_name="evaluations"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    status_reason = models.TextField(blank=True)
    engine_version = models.CharField(max_length=20, blank=True)
    analysed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="unique_evaluation_version")
        ]
        indexes = [
            # "My work": each section is a status (requested, planning, analysed, …) of the
            # current versions; the published and superseded bulk never needs reading
            models.Index(
                fields=["status"],
                condition=models.Q(is_current=True),
                name="evaluation_current_status_idx",
            ),
            # the default ordering of the (current) evaluations list (issue 14)
            models.Index(
                fields=["-created_at", "-id"],
                condition=models.Q(is_current=True),
                name="evaluation_current_recent_idx",
            ),
        ]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    @property
    def supplier(self) -> Organization:
        return self.product.supplier

    @property
    def is_signed(self) -> bool:
        return self.status in SIGNED_STATES

    # -- what a public page, the public API, the public report and the search index may show.
    # A demand-tailored evaluation answers a need; when that need is not public (consortium or
    # private), its title, reference (the incumbent), scale, process context and the demand
    # company's own criteria are the demand company's confidential information: they are
    # shown to the parties only, never publicly (see docs/search.md and evaluations/policy.py).

    @property
    def need_is_confidential(self) -> bool:
        return self.need_id is not None and self.need.visibility != "public"

    def _public(self, value: str) -> str:
        return str(CONFIDENTIAL) if self.need_is_confidential else value

    @property
    def public_title(self) -> str:
        if self.need_is_confidential:
            return str(_("Demand-tailored evaluation (details confidential)"))
        return self.title

    @property
    def public_reference_product(self) -> str:
        return self._public(self.reference_product)

    @property
    def public_scale(self) -> str:
        return self._public(self.scale)

    @property
    def public_process_context(self) -> str:
        return self._public(self.process_context)

    def is_public_criterion(self, criterion: Any) -> bool:
        """Whether a criterion's value and result may be shown publicly (not the confidential
        need's own acceptance criterion)."""
        return not (self.need_is_confidential and criterion.source == Criterion.Source.NEED)


CONFIDENTIAL = _("confidential (the demand company's need)")


SIGNED_STATES = frozenset(
    {
        Evaluation.Status.AUTHORED,
        Evaluation.Status.REVIEWED,
        Evaluation.Status.APPROVED,
        Evaluation.Status.PUBLISHED,
        Evaluation.Status.SUPERSEDED,
    }
)
EDITABLE_STATES = frozenset({Evaluation.Status.RUNNING, Evaluation.Status.ANALYSED})


class MethodTemplateQuerySet(models.QuerySet["MethodTemplate"]):
    def current(self) -> MethodTemplateQuerySet:
        return self.filter(is_current=True)


class MethodTemplate(models.Model):
    """How a product family is evaluated: arms and replicates, data layouts, KPIs, default criteria.

    A version is frozen once an evaluation's protocol uses it; editing then makes version n+1.
    """

    class Family(models.TextChoices):
        MEDIA = "media", _("Culture media and feeds")
        RESINS = "resins", _("Chromatography resins")
        FILTERS = "filters", _("Filters (depth, sterile, virus)")
        SINGLE_USE = "single_use", _("Single-use bags and assemblies")
        SENSORS = "sensors", _("Sensors")
        BIOREACTORS = "bioreactors", _("Bioreactors and fermenters")
        SYSTEMS = "systems", _("Chromatography and TFF systems")

    code = models.SlugField(max_length=40)
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    frozen = models.BooleanField(default=False)
    center = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("owning center; empty for the programme's shared templates"),
    )
    family = models.CharField(max_length=20, choices=Family.choices)
    categories = models.JSONField(default=list, help_text=_("catalog category codes"))
    name_en = models.CharField(max_length=200)
    name_ko = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    candidate_runs = models.PositiveSmallIntegerField(default=3)
    reference_runs = models.PositiveSmallIntegerField(default=3)
    layouts = models.JSONField(default=list, help_text=_("data layouts each run needs"))
    kpis = models.JSONField(default=list)
    default_criteria = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MethodTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["family", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="unique_template_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "ko").startswith("en") else self.name_ko


class Protocol(models.Model):
    """The signed evaluation plan (평가계획): frozen before any run starts."""

    code = models.CharField(max_length=20)
    template = models.ForeignKey(
        MethodTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="protocols"
    )
    plan = models.JSONField()
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"protocol {self.code}"


class Criterion(models.Model):
    """An acceptance criterion: KPI + comparison + value (+ unit), with its computed verdict."""

    class Comparison(models.TextChoices):
        EQUIVALENCE = "equivalence", _("Equivalence (TOST)")
        NON_INFERIORITY = "non_inferiority", _("Non-inferiority")
        MINIMUM = "minimum", _("Minimum (every candidate run ≥ value)")
        MAXIMUM = "maximum", _("Maximum (every candidate run ≤ value)")
        TIER1 = "tier1_equivalence", _("FDA tier-1 equivalence (margin = value × σ_R)")
        RATIO = "ratio_equivalence", _("Ratio equivalence (Fieller; limits value to 1/value)")
        #: value = k (x̄_r ± k·s_r; 0 = the reference min–max); alpha = the fraction of
        #: candidate lots allowed outside (0.10 → ≥ 90 % inside)
        QUALITY_RANGE = "quality_range", _("FDA quality range (value = k in x̄ ± k·s; 0 = min–max)")

    class Source(models.TextChoices):
        REQUEST = "request", _("Request")
        TEMPLATE = "template", _("Method template")
        NEED = "need", _("Demand company's need")
        CENTER = "center", _("Center")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="criteria")
    kpi = models.CharField(max_length=40)
    comparison = models.CharField(max_length=20, choices=Comparison.choices)
    value = models.FloatField(
        help_text=_(
            "margin (fraction of the reference mean when relative), limit, or a quality range's k"
        )
    )
    relative = models.BooleanField(default=True)
    alpha = models.FloatField(default=0.05)
    unit = models.CharField(max_length=30, blank=True)
    higher_is_better = models.BooleanField(default=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.REQUEST)
    result = models.JSONField(null=True, blank=True)
    passed = models.BooleanField(null=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kpi} {self.comparison} {self.value}"


class Run(models.Model):
    class Arm(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        REFERENCE = "reference", _("Reference")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="runs")
    arm = models.CharField(max_length=10, choices=Arm.choices)
    label = models.CharField(_("run label"), max_length=40)
    batch_id = models.CharField(_("batch ID"), max_length=60, blank=True)
    equipment = models.CharField(_("equipment"), max_length=120, blank=True)
    notes = models.TextField(blank=True)
    parameters = models.JSONField(
        default=dict, blank=True, help_text=_("run parameters the analysis needs, in their units")
    )
    kpis = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    #: a run is never deleted: an excluded run stays with the reason, left out of the analysis
    excluded_at = models.DateTimeField(_("excluded at"), null=True, blank=True)
    excluded_reason = models.TextField(_("reason for exclusion"), blank=True)

    class Meta:
        ordering = ["arm", "label"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "label"], name="unique_run_label")
        ]

    def __str__(self) -> str:
        return f"{self.evaluation.code} {self.label}"


def data_file_path(instance: RunDataFile, filename: str) -> str:
    # Kept for the migrations: files are written by bioproof.core.files.store, which names them
    # the same way (content-addressed) and only once the transaction commits.
    return f"run-data/{instance.sha256[:2]}/{instance.sha256}/{filename}"


class RunDataFile(models.Model):
    """An uploaded raw data file, kept with its SHA-256; a re-upload adds a version."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="data_files")
    version = models.PositiveIntegerField()
    layout = models.CharField(max_length=20, default="offline", help_text=_("see layouts.py"))
    filename = models.CharField(max_length=200)
    file = models.FileField(upload_to=data_file_path, max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    # The parsed table in canonical units, as Parquet in the file store (evaluations/rundata.py);
    # the row holds its SHA-256 so the row events prove it and audit verify --files re-hashes it.
    table_file = models.FileField(max_length=300, blank=True, default="")
    table_sha256 = models.CharField(max_length=64, blank=True, default="")
    n_rows = models.PositiveIntegerField()
    is_current = models.BooleanField(default=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "layout", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "layout", "version"], name="unique_data_file_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.filename} v{self.version}"

    def frame(self) -> Any:
        """The parsed table as a pandas DataFrame (canonical units, NaN where empty); read from
        the file store once per instance."""
        cached = self.__dict__.get("_frame")
        if cached is None:
            from bioproof.evaluations import rundata

            cached = self.__dict__["_frame"] = rundata.read_frame(self.table_file.name)
        return cached

    def set_frame(self, frame: Any) -> None:
        """Keep the frame just parsed, so readers in the same transaction need not read the
        file (it takes its final name when the transaction commits)."""
        self.__dict__["_frame"] = frame
        self.__dict__.pop("_table", None)

    @property
    def table(self) -> dict[str, list[Any]]:
        """Column → values (``None`` where empty), as the JSON table was; cached."""
        cached = self.__dict__.get("_table")
        if cached is None:
            from bioproof.evaluations import results

            cached = self.__dict__["_table"] = results.frame_to_table(self.frame())
        return cached

    def preview(self, points: int | None = None) -> dict[str, list[Any]]:
        """Column → values of at most ``points`` evenly spaced rows, for a plot."""
        from bioproof.evaluations import results, rundata

        return results.frame_to_table(
            rundata.preview(self.frame(), points or rundata.PREVIEW_POINTS)
        )


class StagedUpload(models.Model):
    """A run-data file kept (hashed, in the file store) for the job that parses it; the row and
    the file go once the job has stored the data file."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="staged_uploads")
    layout = models.CharField(max_length=20)
    filename = models.CharField(max_length=200)
    file = models.FileField(max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.filename} (staged)"


class Deviation(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="deviations")
    run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.CASCADE)
    description = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return self.description[:60]


class Report(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="reports")
    language = models.CharField(max_length=2, choices=settings.LANGUAGES)
    # Written by bioproof.core.files.store ("reports/<sha[:2]>/<sha>/<name>.pdf" on commit);
    # upload_to only names reports issued before the file store.
    file = models.FileField(upload_to="reports/%Y/", max_length=300)
    sha256 = models.CharField(max_length=64)
    content_hash = models.CharField(max_length=64)
    verification_code = models.CharField(max_length=20, unique=True)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    generated_at = models.DateTimeField()

    class Meta:
        ordering = ["-generated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.evaluation} report {self.verification_code}"


class TrackRecordQuerySet(models.QuerySet["TrackRecord"]):
    def public(self) -> TrackRecordQuerySet:
        return self.filter(withdrawn_at__isnull=True)


class TrackRecord(models.Model):
    """A published evaluation: public evidence that a product performed (트랙레코드)."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.PROTECT, related_name="track_records"
    )
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="+")
    consent_statement = models.TextField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)

    objects = TrackRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at"]
        indexes = [
            # home and the track-record list: the public records, newest first (issue 14)
            models.Index(
                fields=["-published_at", "-id"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="trackrecord_public_recent_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_public_track_record_per_evaluation",
            )
        ]

    def __str__(self) -> str:
        return f"track record {self.evaluation.code}"


class Attachment(models.Model):
    """A document attached to an evaluation request (a CoA, SDS or quote with the request, or
    with an answer to the center's questions); kept with its SHA-256 in the shared file store."""

    class Kind(models.TextChoices):
        COA = "coa", _("Certificate of analysis (CoA)")
        SDS = "sds", _("Safety data sheet (SDS)")
        QUOTE = "quote", _("Quote")
        OTHER = "other", _("Other")

    class Stage(models.TextChoices):
        REQUEST = "request", _("With the request")
        REPLY = "reply", _("With an answer")
        CENTER = "center", _("From the center")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    stage = models.CharField(max_length=10, choices=Stage.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    filename = models.CharField(max_length=200)
    file = models.FileField(max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["evaluation", "uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"{self.evaluation.code} {self.get_kind_display()} {self.filename}"
