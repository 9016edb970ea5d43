"""Server-rendered forms of the procurement pages; the rules stay in services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import REVIEW_CHECKS, AnswerStatus, CardKind, Metric, Outcome, Procedure, Stage


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form fields it names."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class VendorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    registration_number = forms.CharField(
        label=_("Registration number"), max_length=100, required=False
    )
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        required=False,
        help_text=_("Two-letter ISO code, e.g. CA."),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)


class ProcurementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    procedure = forms.ChoiceField(label=_("Procedure"), choices=Procedure.choices)
    systems = forms.ModelMultipleChoiceField(
        label=_("AI systems bought"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    review_interval_months = forms.IntegerField(
        label=_("Months between post-award reviews"), min_value=1, max_value=36, initial=6
    )

    def __init__(self, *args, systems=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["systems"].queryset = systems


class StageForm(forms.Form):
    to = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)


class BidForm(forms.Form):
    vendor = forms.ModelChoiceField(label=_("Vendor"), queryset=None)
    product = forms.CharField(label=_("Product offered"), max_length=200, required=False)
    price = forms.DecimalField(label=_("Price"), max_digits=14, decimal_places=2, required=False)
    prediction_column = forms.CharField(
        label=_("Column of the test data with this vendor's predictions or scores"),
        help_text=_(
            "Optional. Once known (given here or at the first claim check), every claim of this "
            "bid is checked against this column only."
        ),
        max_length=200,
        required=False,
    )

    def __init__(self, *args, vendors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = vendors


class SendLinkForm(forms.Form):
    days = forms.IntegerField(
        label=_("The link works for (days)"), min_value=1, max_value=180, initial=30
    )


class AnswerReviewForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (AnswerStatus.ACCEPTED, _("Accepted")),
            (AnswerStatus.NEEDS_MORE, _("Needs more: reopen to the vendor")),
            (AnswerStatus.UNACCEPTABLE, _("Unacceptable")),
        ],
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=_("Notes for the vendor"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CardImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Card"), choices=CardKind.choices)
    file = forms.FileField(
        label=_("Card file"),
        help_text=_("Markdown with YAML front matter (.md) or JSON (.json)."),
    )


class ClaimForm(forms.Form):
    wording = forms.CharField(
        label=_("The vendor's words"),
        max_length=300,
        required=False,
        help_text=_('As written in the bid, e.g. "95 % accurate".'),
    )
    metric = forms.ChoiceField(label=_("Metric"), choices=Metric.choices)
    value = forms.FloatField(
        label=_("Claimed value"),
        help_text=_("A proportion: write 95 % as 0.95."),
        min_value=0,
        max_value=1,
    )
    population = forms.CharField(label=_("Population"), max_length=300, required=False)
    conditions = forms.CharField(
        label=_("Conditions"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    material = forms.BooleanField(label=_("Material to the award"), required=False, initial=True)
    every_group = forms.BooleanField(label=_("Should hold for every group"), required=False)
    protected_attribute = forms.CharField(
        label=_("Protected attribute"),
        max_length=100,
        required=False,
        help_text=_("The column of the test data whose groups the claim should hold for."),
    )


class DatasetForm(forms.Form):
    file = forms.FileField(label=_("Labelled test data (CSV or Parquet)"))
    label_column = forms.CharField(
        label=_("Label column"),
        max_length=200,
        initial="label",
        help_text=_("The column holding the true outcome."),
    )


class VerifyForm(forms.Form):
    dataset = forms.ModelChoiceField(label=_("Test data"), queryset=None, empty_label=None)
    prediction = forms.CharField(
        label=_("Prediction column"),
        max_length=200,
        required=False,
        help_text=_("The system's decision (0/1). Or give a score column and a threshold."),
    )
    score = forms.CharField(label=_("Score column"), max_length=200, required=False)
    threshold = forms.FloatField(label=_("Threshold"), required=False)
    by = forms.CharField(
        label=_("Group column"),
        max_length=200,
        required=False,
        help_text=_(
            "Defaults to the claim's protected attribute when it should hold for every group."
        ),
    )

    def __init__(self, *args, datasets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = datasets


class AcceptForm(forms.Form):
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the claim is accepted without local support (at least 20 characters)."),
    )


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in REVIEW_CHECKS.items():
            self.fields[key] = forms.BooleanField(label=label, required=False)
