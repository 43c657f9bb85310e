"""Interop records: instrument exports converted to Allotrope ASM (kept beside the raw file)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bioproof.consortium.models import Organization


class Instrument(models.TextChoices):
    """Instrument exports BioProof converts with allotropy (its ``Vendor`` names)."""

    VI_CELL_BLU = "BECKMAN_VI_CELL_BLU", _("Beckman Coulter Vi-CELL BLU (cell counter)")
    VI_CELL_XR = "BECKMAN_VI_CELL_XR", _("Beckman Coulter Vi-CELL XR (cell counter)")
    CEDEX_BIOHT = "ROCHE_CEDEX_BIOHT", _("Roche Cedex Bio HT (bioanalyzer)")
    NOVABIO_FLEX2 = "NOVABIO_FLEX2", _("Nova Biomedical BioProfile FLEX2 (bioanalyzer)")
    NANODROP_8000 = "THERMO_FISHER_NANODROP_8000", _("Thermo NanoDrop 8000 (spectrophotometer)")
    NANODROP_EIGHT = "THERMO_FISHER_NANODROP_EIGHT", _("Thermo NanoDrop Eight (spectrophotometer)")
    NANODROP_ONE = "THERMO_FISHER_NANODROP_ONE", _("Thermo NanoDrop One (spectrophotometer)")
    TAPESTATION = "AGILENT_TAPESTATION_ANALYSIS", _("Agilent TapeStation (electrophoresis)")
    UNICORN = "CYTIVA_UNICORN", _("Cytiva UNICORN (chromatography)")


def _upload_path(instance: models.Model, filename: str) -> str:
    # Kept for the migrations: files are written by bioproof.core.files.store.
    return f"instrument/{filename}"


class InstrumentFile(models.Model):
    """One instrument export and its Allotrope ASM JSON, both stored and hashed; optionally
    imported into a run as a data file of an evaluation layout."""

    instrument = models.CharField(max_length=40, choices=Instrument.choices)
    converter_version = models.CharField(max_length=20)
    raw = models.FileField(upload_to=_upload_path, max_length=300)
    raw_filename = models.CharField(max_length=200)
    raw_sha256 = models.CharField(max_length=64)
    raw_size = models.PositiveBigIntegerField()
    asm = models.FileField(upload_to=_upload_path, max_length=300)
    asm_sha256 = models.CharField(max_length=64)
    asm_size = models.PositiveBigIntegerField()
    asm_manifest = models.CharField(max_length=300, help_text=_("the ASM schema ($asm.manifest)"))
    summary = models.JSONField(default=dict, help_text=_("samples and measurements found"))
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(
        "evaluations.Run",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instrument_files",
    )
    data_file = models.ForeignKey(
        "evaluations.RunDataFile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instrument_files",
        help_text=_("the run data file laid out from this export (with the others imported)"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("instrument file")
        verbose_name_plural = _("instrument files")

    def __str__(self) -> str:
        return f"{self.get_instrument_display()} {self.raw_filename}"
