from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ombuds.core.models import Agency

from .determination import QUESTIONS
from .models import CARD_FIELDS, DEMOGRAPHIC_FEATURES, AISystem, Impact
from .services import EDITABLE_FIELDS


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form fields it names."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class LinesField(forms.CharField):
    """A list of names typed one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class LegalBasisField(forms.CharField):
    """Legal bases typed one per line as "Title | https://link"."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(
                f"{i['title']} | {i['url']}" if i.get("url") else i["title"] for i in value
            )
        return value

    def to_python(self, value):
        out = []
        for line in (value or "").splitlines():
            if not line.strip():
                continue
            title, _sep, url = line.partition("|")
            item = {"title": title.strip()}
            if url.strip():
                item["url"] = url.strip()
            out.append(item)
        return out


class SystemForm(forms.ModelForm):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_("Agency"))
    legal_basis = LegalBasisField(
        required=False,
        label=_("Legal basis"),
        help_text=_("One per line: title | link (the link is optional)."),
    )
    rights_instruments = LinesField(
        required=False,
        label=_("Human-rights instruments and laws it must respect"),
        help_text=_("One per line, e.g. European Convention on Human Rights, Art. 8."),
    )
    code_url = forms.URLField(required=False, assume_scheme="https", label=_("Link to code"))
    demographic_features = forms.MultipleChoiceField(
        required=False,
        choices=DEMOGRAPHIC_FEATURES,
        widget=forms.CheckboxSelectMultiple,
        label=_("Demographic features used"),
    )

    class Meta:
        model = AISystem
        fields = ["agency", *EDITABLE_FIELDS]
        widgets = {
            "short_description": forms.Textarea(attrs={"rows": 2}),
            "detailed_description": forms.Textarea(attrs={"rows": 5}),
            "purpose_and_benefits": forms.Textarea(attrs={"rows": 3}),
            "outputs": forms.Textarea(attrs={"rows": 2}),
            "review_due": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, agencies=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["agency"]
        else:
            self.fields["agency"].queryset = agencies
            if agencies is not None and agencies.count() == 1:
                self.fields["agency"].initial = agencies.first()

    def _post_clean(self):
        # Model validation is the service's job, so that web and API share one set of rules.
        pass


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Move to"), widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Stage

        labels = dict(Stage.choices)
        self.fields["to"].choices = [(t, labels[t]) for t in targets]


class DeterminationForm(forms.Form):
    determination = forms.ChoiceField(
        label=_("Determination"), choices=Impact.choices, widget=forms.RadioSelect
    )
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when your determination differs from the rules' proposal."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for qid, text in QUESTIONS:
            self.fields[f"q_{qid}"] = forms.BooleanField(label=text, required=False)
        # Questions first, decision after.
        order = [f"q_{q}" for q, _t in QUESTIONS] + ["determination", "justification"]
        self.order_fields(order)

    def answers(self) -> dict[str, bool]:
        return {qid: bool(self.cleaned_data.get(f"q_{qid}")) for qid, _t in QUESTIONS}


class CardForm(forms.Form):
    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in CARD_FIELDS[kind]:
            self.fields[name] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 3})
            )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Attach a file"), help_text=_("PDF, image, office document or text; size limited.")
    )


class WaiverForm(forms.Form):
    control_id = forms.ChoiceField(label=_("Control"))
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Why the system may proceed without this control, what compensates for it, and "
            "what will be done before the waiver expires. Waivers are published with the record."
        ),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("At most one year from today."),
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["control_id"].choices = choices


class MaterialChangeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What changed"),
        widget=forms.RadioSelect,
        choices=[
            ("purpose", _("Its purpose or the decisions it supports")),
            ("model", _("The model (retrained, replaced, new version)")),
            ("data", _("The data it uses or learns from")),
            ("population", _("The people it is used on")),
        ],
    )
    description = forms.CharField(
        label=_("Describe the change"), widget=forms.Textarea(attrs={"rows": 4})
    )


class DecommissioningForm(forms.Form):
    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import DECOMMISSION_ITEMS

        record = record or {}
        for key, label in DECOMMISSION_ITEMS:
            entry = record.get(key) or {}
            self.fields[f"{key}_done"] = forms.BooleanField(
                label=label, required=False, initial=entry.get("done", False)
            )
            self.fields[f"{key}_note"] = forms.CharField(
                label=_("How, when, where it is recorded"),
                required=False,
                initial=entry.get("note", ""),
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def values(self) -> dict:
        from .models import DECOMMISSION_ITEMS

        return {
            key: {
                "done": self.cleaned_data[f"{key}_done"],
                "note": self.cleaned_data[f"{key}_note"],
            }
            for key, _label in DECOMMISSION_ITEMS
        }


class OnboardForm(forms.Form):
    to = forms.ChoiceField(
        label=_("The system is already"),
        widget=forms.RadioSelect,
        choices=[
            ("pilot", _("In a pilot")),
            ("deployed", _("Deployed")),
            ("suspended", _("Suspended")),
        ],
    )
    reason = forms.CharField(
        label=_("Since when, and where it is used"), widget=forms.Textarea(attrs={"rows": 3})
    )
