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
    group = forms.CharField(
        label=_("A group you belong to (optional)"),
        required=False,
        max_length=100,
        help_text=_(
            "For example an age band, a disability or an ethnic group. It helps us see whether a "
            "system treats some groups worse; it is only counted, never shown with your case."
        ),
    )
    group_consent = forms.BooleanField(
        label=_("I agree that the group I gave is used for statistics"), required=False
    )


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
        from .services import systems_in_use

        self.fields["system"].queryset = systems_in_use()


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


class BatchForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: case_reference, outcome, factors (separated by |), language, decided_on "
            "(YYYY-MM-DD), person_identifier, and optionally decision_maker (a username)."
        ),
    )
