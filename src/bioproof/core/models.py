"""Cross-cutting records: the audit chain, electronic signatures and human codes."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import ExpressionWrapper, F
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One write made by an action, hash-chained to the previous event.

    ``hash = sha256(canonical JSON of every other field, including prev_hash)``; see
    :mod:`bioproof.core.audit` for the canonical form and verification.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    organization = models.ForeignKey(
        "consortium.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # the newest event per table (core.versions.state_version), on the *negated* sequence
            # number: a query ordered by it can use this index only. Ordered by seq, PostgreSQL
            # may walk the unique seq index backwards filtering on the table, expecting a common
            # table's newest event near the head: 77 ms through 220,000 events when it was not
            models.Index(
                F("object_type"),
                ExpressionWrapper(F("seq") * -1, output_field=models.BigIntegerField()),
                name="core_audit_type_negseq",
            ),
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"


class AuditChainHead(models.Model):
    """Singleton row holding the chain's tip; locked while an event is appended."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit chain head #{self.last_seq}"


class AuditCheckpoint(models.Model):
    """A signed statement of the chain's head, also appended to a log outside the database.

    This table only feeds the public transparency page; ``audit verify`` trusts the log file
    (or a partner's copy), never this table. ``at`` is kept as the exact text that was signed.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    hash = models.CharField(max_length=64)
    at = models.CharField(max_length=40)
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=100)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"checkpoint #{self.seq}"


class Signature(models.Model):
    """An electronic signature (21 CFR Part 11 §11.50/§11.70 manner).

    Binds the signer, the meaning of the signature, the time, and the SHA-256 of the signed
    content. The signed record is frozen from then on.
    """

    class Meaning(models.TextChoices):
        AUTHORED = "authored", _("Authored")
        REVIEWED = "reviewed", _("Reviewed")
        APPROVED = "approved", _("Approved")
        RELEASED = "released", _("Released")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    object_code = models.CharField(max_length=40)
    object_version = models.PositiveIntegerField(default=1)
    meaning = models.CharField(max_length=20, choices=Meaning.choices)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    signer_name = models.CharField(max_length=200)
    organization = models.ForeignKey("consortium.Organization", on_delete=models.PROTECT)
    signed_at = models.DateTimeField()
    content_hash = models.CharField(max_length=64)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["signed_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "meaning"], name="one_signature_per_meaning"
            )
        ]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")

    def __str__(self) -> str:
        return f"{self.object_code} v{self.object_version} {self.meaning} by {self.signer_name}"


class CodeSequence(models.Model):
    """Counter behind human codes such as ``EV-2026-0007``."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="unique_code_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"
