from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bioproof.consortium.models import Organization, User

DATE = forms.DateInput(attrs={"type": "date"})


class EnrollForm(forms.Form):
    certificate_name = forms.CharField(
        label=_("Name on the certificate"), max_length=200, required=False
    )
    publish_name = forms.BooleanField(
        label=_("Show my name on the public verification page"), required=False
    )


class NominateForm(forms.Form):
    trainee = forms.ModelChoiceField(User.objects.none(), label=_("Staff member"))

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trainee"].queryset = (
            User.objects.filter(memberships__organization=organization)
            .distinct()
            .order_by("username")
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class AttendanceCsvForm(forms.Form):
    file = forms.FileField(
        label=_("Attendance CSV"),
        help_text=_(
            "Columns: username, date (YYYY-MM-DD), status (present, late, absent, excused), note."
        ),
    )


class ResultForm(forms.Form):
    theory_score = forms.CharField(label=_("Theory score (0–100)"), max_length=20, required=False)
    checklist = forms.MultipleChoiceField(
        label=_("Practical checklist: items done"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, items: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["checklist"].choices = [(i, i) for i in items]


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Your password (to sign)"), widget=forms.PasswordInput(render_value=False)
    )


class VerifyCertificateForm(forms.Form):
    code = forms.CharField(label=_("Certificate code"), max_length=20)


class SessionForm(forms.Form):
    center = forms.ModelChoiceField(
        Organization.objects.filter(kind=Organization.Kind.CENTER), label=_("Center")
    )
    room = forms.CharField(label=_("Room"), max_length=120, required=False)
    starts_on = forms.DateField(label=_("First day"), widget=DATE)
    ends_on = forms.DateField(label=_("Last day"), widget=DATE)
    capacity = forms.IntegerField(label=_("Capacity"), required=False, min_value=1, max_value=500)
    instructors = forms.ModelMultipleChoiceField(User.objects.none(), label=_("Instructors"))

    def __init__(self, *args: Any, provider_org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instructors"].queryset = (
            User.objects.filter(memberships__organization=provider_org)
            .distinct()
            .order_by("username")
        )


# ------------------------------------------------------------------ course creation and versions


class ModuleForm(forms.Form):
    title = forms.CharField(label=_("Module title"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("theory", _("Theory")), ("practical", _("Practical"))]
    )
    hours = forms.FloatField(label=_("Hours"), min_value=0.25, max_value=500, required=False)


class GrantForm(forms.Form):
    key = forms.CharField(
        label=_("Qualification key"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "str-bioreactor"}),
    )
    name_ko = forms.CharField(label=_("Name (Korean)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    validity_months = forms.IntegerField(
        label=_("Valid for (months)"),
        min_value=1,
        max_value=240,
        required=False,
        help_text=_("Empty: never expires."),
    )
    lapse_months = forms.IntegerField(
        label=_("Lapses after months without use"), min_value=1, max_value=240, required=False
    )


ModuleFormSet = forms.formset_factory(ModuleForm, extra=3, max_num=40, validate_max=True)
GrantFormSet = forms.formset_factory(GrantForm, extra=2, max_num=20, validate_max=True)


class CourseForm(forms.Form):
    """A course version as people write it: both languages, level, fee, capacity, pass rule,
    prerequisites and the practical checklist; modules and granted qualifications come as
    formsets (:data:`ModuleFormSet`, :data:`GrantFormSet`). Saved by the training actions."""

    provider = forms.ModelChoiceField(queryset=None, label=_("Provider"))  # type: ignore[arg-type]
    code = forms.CharField(
        label=_("Course code"),
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "USP-101"}),
    )
    title_ko = forms.CharField(label=_("Title (Korean)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    description_ko = forms.CharField(
        label=_("Description (Korean)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "ko"}),
    )
    description_en = forms.CharField(
        label=_("Description (English)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "en"}),
    )
    level = forms.ChoiceField(label=_("Level"), choices=())
    fee_krw = forms.IntegerField(label=_("Fee (KRW)"), min_value=0, max_value=10**9, initial=0)
    capacity = forms.IntegerField(label=_("Default capacity"), min_value=1, max_value=500)
    min_attendance_pct = forms.FloatField(
        label=_("Minimum attendance (%)"), min_value=0, max_value=100, initial=100
    )
    min_score = forms.FloatField(
        label=_("Minimum theory score"), min_value=0, max_value=100, initial=70
    )
    prerequisite_courses = forms.ModelMultipleChoiceField(
        queryset=None,  # type: ignore[arg-type]
        label=_("Prerequisite courses"),
        required=False,
        to_field_name="code",
    )
    prerequisite_qualifications = forms.CharField(
        label=_("Prerequisite qualifications"),
        required=False,
        max_length=500,
        help_text=_("Qualification keys, separated by commas."),
    )
    checklist = forms.CharField(
        label=_("Practical checklist"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One item per line."),
    )
    certificate_validity_months = forms.IntegerField(
        label=_("Certificate valid for (months)"),
        min_value=1,
        max_value=240,
        required=False,
        help_text=_("Empty: never expires."),
    )
    cancellation_days = forms.IntegerField(
        label=_("Free cancellation until (days before)"), min_value=0, max_value=90, initial=7
    )
    reason = forms.CharField(label=_("Reason for the new version"), max_length=2000)

    def __init__(self, *args: Any, providers: Any = None, course: Any = None, **kwargs: Any):
        from bioproof.training.models import Course, CourseVersion

        super().__init__(*args, **kwargs)
        self.fields["level"].choices = CourseVersion.Level.choices
        others = Course.objects.exclude(pk=getattr(course, "pk", None)).order_by("code")
        self.fields["prerequisite_courses"].queryset = others
        if course is None:  # creating: provider and code; no reason
            self.fields["provider"].queryset = providers
            if providers is not None and len(providers) == 1:
                self.fields["provider"].initial = providers[0].pk
                self.fields["provider"].widget = forms.HiddenInput()
            del self.fields["reason"]
        else:  # a new version: the code and provider stay
            del self.fields["provider"]
            del self.fields["code"]

    @staticmethod
    def initial_for(version: Any) -> dict[str, Any]:
        return {
            "title_ko": version.title_ko,
            "title_en": version.title_en,
            "description_ko": version.description_ko,
            "description_en": version.description_en,
            "level": version.level,
            "fee_krw": version.fee_krw,
            "capacity": version.capacity,
            "min_attendance_pct": version.min_attendance_pct,
            "min_score": version.min_score,
            "prerequisite_courses": [p["course"] for p in version.prerequisites if "course" in p],
            "prerequisite_qualifications": ", ".join(
                p["qualification"] for p in version.prerequisites if "qualification" in p
            ),
            "checklist": "\n".join(version.checklist),
            "certificate_validity_months": version.certificate_validity_months,
            "cancellation_days": version.cancellation_days,
        }

    def version_fields(self, modules: Any, grants: Any) -> dict[str, Any]:
        """The keyword arguments of ``actions.create_course`` / ``revise_course``."""
        d = self.cleaned_data
        prerequisites = [{"course": c.code} for c in d["prerequisite_courses"]] + [
            {"qualification": k.strip()}
            for k in d["prerequisite_qualifications"].split(",")
            if k.strip()
        ]
        return {
            "title_ko": d["title_ko"],
            "title_en": d["title_en"],
            "description_ko": d["description_ko"],
            "description_en": d["description_en"],
            "level": d["level"],
            "fee_krw": d["fee_krw"],
            "capacity": d["capacity"],
            "min_attendance_pct": d["min_attendance_pct"],
            "min_score": d["min_score"],
            "prerequisites": prerequisites,
            "checklist": [line.strip() for line in d["checklist"].splitlines() if line.strip()],
            "certificate_validity_months": d["certificate_validity_months"],
            "cancellation_days": d["cancellation_days"],
            "modules": [
                {"title": m["title"], "kind": m["kind"], "hours": m["hours"]}
                for m in modules.cleaned_data
                if m and m.get("title")
            ],
            "grants": [
                {k: v for k, v in g.items() if v not in (None, "")}
                for g in grants.cleaned_data
                if g and g.get("key")
            ],
        }
