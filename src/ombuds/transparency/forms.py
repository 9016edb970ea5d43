from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MAX_TEXT, TEXT_FIELDS


class RecordForm(forms.Form):
    last_reviewed = forms.DateField(
        label=_("Last reviewed"),
        required=False,
        help_text=_("YYYY-MM-DD"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        for name, label in TEXT_FIELDS:
            if name == "contact":
                fields[name] = forms.CharField(label=label, required=False, max_length=254)
            else:
                fields[name] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=MAX_TEXT,
                    widget=forms.Textarea(attrs={"rows": 4}),
                )
        fields["last_reviewed"] = self.fields["last_reviewed"]
        self.fields = fields


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class GroundForm(forms.Form):
    legal_ground = forms.CharField(
        label=_("Legal ground"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
