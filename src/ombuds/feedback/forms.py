from __future__ import annotations

import copy
import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ombuds.core.models import Agency
from ombuds.registry.models import AISystem

from .models import HarmCategory, ReportKind, ReportStatus
from .services import MAX_DESCRIPTION, MAX_RESPONSE, MAX_TEXT, MAX_TITLE, system_mismatch

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def lazy_interpolate(text, **values):
    """`text % values`, translated when shown rather than when the module is imported."""
    return lazy(lambda: str(text) % values, str)()


def _when_help(text):
    return format_lazy("{} ({}: {})", text, _("time zone"), settings.TIME_ZONE)


class DateTimeLocalField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


class AlertIdsField(forms.CharField):
    """Alert numbers typed as a list: "12, 15"."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value):
        text = (value or "").strip()
        if not text:
            return []
        parts = [p for p in re.split(r"[\s,;]+", text) if p]
        ids = []
        for part in parts:
            part = part.lstrip("#")
            if not part.isdigit() or int(part) <= 0:
                raise ValidationError(_("“%(part)s” is not an alert number.") % {"part": part})
            ids.append(int(part))
        return ids


class SystemsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.agency.name})" if self.show_agency else obj.name

    show_agency = False


class IncidentForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.none(), empty_label=None
    )
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    description = forms.CharField(
        label=_("What happened"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Facts first: what happened, to whom (without names), where and how found."),
    )
    systems = SystemsField(
        label=_("Systems involved"),
        queryset=AISystem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    harm_category = forms.ChoiceField(
        label=_("Harm category"),
        choices=HarmCategory.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "The first five are serious incidents in the sense of the EU AI Act (Art. 3(49)) and "
            "must be reported to the market surveillance authority (Art. 73)."
        ),
    )
    widespread = forms.BooleanField(
        label=_("Widespread infringement (EU AI Act Art. 3(61))"),
        required=False,
        help_text=_(
            "Harm to the collective interests of people in more than one Member State: the "
            "report is due within 2 days."
        ),
    )
    occurred_at = DateTimeLocalField(
        label=_("When it happened"), required=False, help_text=_when_help(_("If known."))
    )
    aware_at = DateTimeLocalField(
        label=_("When the agency became aware"),
        help_text=_when_help(_("The reporting deadline counts from this moment.")),
    )
    corrective_actions = forms.CharField(
        label=_("Corrective actions"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done and what will be done, with owners and dates."),
    )
    alert_ids = AlertIdsField(
        label=_("Linked alerts"),
        required=False,
        max_length=1000,
        help_text=_("Numbers of the monitoring alerts behind this incident, e.g. 12, 15."),
    )

    def __init__(self, *args, agencies=None, agency=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agency is not None:
            del self.fields["agency"]
            systems = AISystem.objects.filter(agency=agency)
        else:
            self.fields["agency"].queryset = agencies
            systems = AISystem.objects.filter(agency__in=agencies)
            self.fields["systems"].show_agency = agencies.count() > 1
        self.fields["systems"].queryset = systems.select_related("agency").order_by(
            "agency__name", "name"
        )


class IncidentReportedForm(forms.Form):
    authority = forms.CharField(
        label=_("Authority reported to"),
        max_length=200,
        help_text=_("The market surveillance authority, or another authority the law names."),
    )
    authority_reference = forms.CharField(
        label=_("The authority's reference"), max_length=100, required=False
    )
    reported_at = DateTimeLocalField(
        label=_("When it was reported"),
        required=False,
        help_text=_when_help(_("Leave empty for now.")),
    )


class IncidentCloseForm(forms.Form):
    closing_note = forms.CharField(
        label=_("Closing note"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why the incident can be closed: what was fixed, what was learnt."),
    )


HONEYPOT = "website"


PUBLIC_STAGES = ("pilot", "deployed", "suspended")


class GroupedSystemChoiceField(forms.TypedChoiceField):
    """The systems in use (pilot, deployed, suspended) of every agency, by name only, grouped
    under the agency's name: systems still in design or retired are not public."""

    def __init__(self, **kwargs):
        super().__init__(coerce=int, empty_value=None, **kwargs)

    def load(self):
        groups: dict[str, list[tuple[int, str]]] = {}
        rows = (
            AISystem.objects.select_related("agency")
            .filter(stage__in=PUBLIC_STAGES)
            .order_by("agency__name", "name", "pk")
        )
        for system in rows.only("pk", "name", "agency__name"):
            groups.setdefault(system.agency.name, []).append((system.pk, system.name))
        self.choices = [("", _("No particular system, or I do not know"))] + list(groups.items())


class PublicReportForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.order_by("name"),
        empty_label=_("Choose the agency"),
        help_text=_("The public body that uses the system."),
    )
    system = GroupedSystemChoiceField(
        label=_("AI system"),
        required=False,
        help_text=_("Optional. Systems are listed under the agency that uses them."),
    )
    kind = forms.ChoiceField(
        label=_("What are you reporting?"), choices=ReportKind.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=lazy_interpolate(
            _(
                "What happened or what you found, when, and how to see it again. At most "
                "%(n)d characters. Please do not include other people's personal details."
            ),
            n=MAX_DESCRIPTION,
        ),
    )
    contact_email = forms.EmailField(
        label=_("Your e-mail address"),
        required=False,
        max_length=254,
        help_text=_(
            "Optional. Only to send you the link to follow your report and to ask you questions "
            "about it. Staff handling the report see it; it is not published."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].load()

    def clean(self):
        data = super().clean()
        pk = data.get("system")
        data["system"] = None
        if pk is not None:
            system = (
                AISystem.objects.select_related("agency")
                .filter(pk=pk, stage__in=PUBLIC_STAGES)
                .first()
            )
            if system is None:
                self.add_error("system", _("Choose a system from the list."))
            else:
                data["system"] = system
                mismatch = system_mismatch(system, data.get("agency"))
                if mismatch:
                    self.add_error("system", mismatch)
        return data


class InternalReportForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.none(), empty_label=None
    )
    system = forms.ModelChoiceField(
        label=_("AI system"),
        queryset=AISystem.objects.none(),
        required=False,
        empty_label=_("No particular system"),
    )
    kind = forms.ChoiceField(
        label=_("Kind of report"), choices=ReportKind.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    contact_email = forms.EmailField(
        label=_("Reporter's e-mail address"),
        required=False,
        max_length=254,
        help_text=_("Optional: when the report came from someone outside the agency."),
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["system"].queryset = (
            AISystem.objects.filter(agency__in=agencies)
            .select_related("agency")
            .order_by("agency__name", "name")
        )
        if agencies.count() > 1:
            self.fields["system"].label_from_instance = lambda s: f"{s.name} ({s.agency.name})"


class TriageForm(forms.Form):
    to_status = forms.ChoiceField(label=_("Next step"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Internal note"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done or decided. Only staff read it."),
    )
    public_response = forms.CharField(
        label=_("Response to the reporter"),
        required=False,
        max_length=MAX_RESPONSE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional. The reporter reads it on their status page, in plain language."),
    )

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        from .services import allowed_next

        choices = [(s, ReportStatus(s).label) for s in allowed_next(report)]
        choices.append((report.status, _("Add a note, keep the status")))
        self.fields["to_status"].choices = choices
        self.fields["to_status"].initial = choices[0][0]


class ReportToIncidentForm(forms.Form):
    title = forms.CharField(label=_("Incident title"), max_length=MAX_TITLE)
    harm_category = copy.deepcopy(IncidentForm.base_fields["harm_category"])
    widespread = copy.deepcopy(IncidentForm.base_fields["widespread"])
    aware_at = DateTimeLocalField(
        label=_("When the agency became aware"),
        help_text=_when_help(_("By default, when the report was received.")),
    )


class FeedbackSettingsForm(forms.Form):
    response_days = forms.IntegerField(
        label=_("Days to acknowledge a report"),
        min_value=1,
        max_value=90,
        help_text=_("Counted from receipt. Reports not acknowledged in time are escalated."),
    )
