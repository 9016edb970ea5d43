from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ombuds.registry.models import AISystem

from . import notices
from .models import Channel, Outcome, RemedyKind

HONEYPOT = "website"
LANGUAGE_CHOICES = [("en", "English"), ("fr", "Français"), ("es", "Español")]


class SystemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.agency.name} — {obj.name}"


class _AppealFields(forms.Form):
    grounds = forms.CharField(
        label=_("Why do you think the decision was wrong?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
    )
    contact_name = forms.CharField(label=_("Your name"), required=False, max_length=200)
    contact_email = forms.CharField(
        label=_("E-mail address"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Give at least one way to answer you: e-mail, telephone or postal address."),
    )
    contact_phone = forms.CharField(
        label=_("Telephone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    contact_address = forms.CharField(
        label=_("Postal address"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    language = forms.ChoiceField(label=_("Language for our answer"), choices=LANGUAGE_CHOICES)
    group = forms.ChoiceField(
        label=_("A group you belong to (optional)"),
        required=False,
        choices=[],
        help_text=_(
            "For example an age band, a disability or an ethnic group. It helps us see whether a "
            "system treats some groups worse; it is only counted, never shown with your case."
        ),
    )
    group_consent = forms.BooleanField(
        label=_("I agree that the group I gave is used for statistics"), required=False
    )


def group_choices(agency_ids=None) -> list[tuple[str, str]]:
    """The groups the agencies ask about (their remedy policies): a fixed list, never free
    text."""
    from .models import RemedyPolicy

    policies = RemedyPolicy.objects.all()
    if agency_ids is not None:
        policies = policies.filter(agency_id__in=list(agency_ids))
    names = sorted({str(g) for p in policies for g in (p.groups or []) if str(g).strip()})
    return [("", "—"), *[(n, n) for n in names]]


def _set_groups(form, agency_ids=None) -> None:
    choices = group_choices(agency_ids)
    if len(choices) > 1:
        form.fields["group"].choices = choices
    else:
        # No agency records groups: the question is not asked.
        del form.fields["group"]
        del form.fields["group_consent"]


class PublicAppealForm(_AppealFields):
    notice_reference = forms.CharField(
        label=_("Notice reference"),
        required=False,
        max_length=40,
        help_text=_("On your letter, like N-ABCD2345. Leave empty if you received no notice."),
    )
    system = SystemChoiceField(
        label=_("Agency and system (if you have no notice reference)"),
        queryset=AISystem.objects.none(),
        required=False,
    )
    field_order = ["notice_reference", "system", "grounds"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .services import systems_open_to_public_appeal

        systems = systems_open_to_public_appeal()
        self.fields["system"].queryset = systems
        _set_groups(self)


class StaffAppealForm(_AppealFields):
    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[c for c in Channel.choices if c[0] != Channel.ONLINE],
    )
    notice_reference = forms.CharField(label=_("Notice reference"), required=False, max_length=40)
    system = SystemChoiceField(label=_("System"), queryset=AISystem.objects.none())
    field_order = ["channel", "system", "notice_reference", "grounds"]

    def __init__(self, *args, systems=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = systems if systems is not None else AISystem.objects.none()
        _set_groups(self, {s.agency_id for s in self.fields["system"].queryset})


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Next step"))
    note = forms.CharField(
        label=_("Note (or what was done, or why no remedy)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome (when deciding)"),
        required=False,
        choices=[("", "—"), *Outcome.choices],
    )
    reasons = forms.CharField(
        label=_("Reasons for the decision (when deciding)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    remedy_kinds = forms.MultipleChoiceField(
        label=_("Remedy given (when recording it)"),
        required=False,
        choices=RemedyKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    remedy_done_on = forms.DateField(
        label=_("Remedy done on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    refuse_remedy = forms.BooleanField(
        label=_("Close without a remedy (the note gives the reasons)"), required=False
    )
    not_original_decision_maker = forms.BooleanField(
        label=_("I did not take the original decision (when reviewing or deciding)"),
        required=False,
    )
    appellant_asked = forms.BooleanField(
        label=_("The appellant asked to withdraw the appeal (when withdrawing)"), required=False
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = list(choices)


class PolicyForm(forms.Form):
    acknowledge_days = forms.IntegerField(
        label=_("Acknowledge appeals within (working days)"), min_value=1, max_value=60
    )
    decide_days = forms.IntegerField(
        label=_("Decide appeals within (working days)"), min_value=1, max_value=250
    )
    appeal_days = forms.IntegerField(
        label=_("People may appeal within (calendar days of the notice)"),
        min_value=1,
        max_value=365,
    )
    warning_days = forms.IntegerField(
        label=_("Warn the governance leads this many working days before a deadline"),
        min_value=0,
        max_value=30,
    )
    retention_days = forms.IntegerField(
        label=_("Keep contact details of closed cases for (days)"), min_value=1, max_value=3650
    )
    holidays = forms.CharField(
        label=_("Public holidays (one date per line, YYYY-MM-DD)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    groups = forms.CharField(
        label=_("Groups appellants may tell, for statistics (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "For example age bands. Appellants choose from this list, with consent; leave it "
            "empty to record no group."
        ),
    )


class RouteForm(forms.Form):
    template_id = forms.ChoiceField(label=_("Notice template"))
    opt_out = forms.CharField(
        label=_("How to opt out, where possible"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template_id"].choices = notices.choices("notice")


class LinkForm(forms.Form):
    notice_reference = forms.CharField(label=_("Notice reference"), required=False, max_length=40)
    decision_maker = forms.CharField(
        label=_("Who took the original decision (username)"), required=False, max_length=150
    )


def batch_max_bytes() -> int:
    from django.conf import settings

    return int(getattr(settings, "OMBUDS_NOTICE_BATCH_MAX_BYTES", 2 * 1024 * 1024))


class BatchForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: case_reference, outcome, factors (separated by |), language, decided_on "
            "(YYYY-MM-DD), person_identifier, and optionally decision_maker (a username)."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = batch_max_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s KB: split it into smaller batches.")
                % {"limit": limit // 1024}
            )
        return upload
