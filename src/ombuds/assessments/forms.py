from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ombuds.core.roles import ROLE_CHOICES

from .models import Decision, Engagement, PilotPlan, Risk
from .questionnaire import Section


class SectionForm(forms.Form):
    """The questions of one section of a template as form fields, named by question id."""

    def __init__(self, *args, section: Section, answers: dict, template=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.section = section
        titles = template.questions if template else {}
        for q in section.questions:
            help_text = q.help
            if q.show_if:
                target = titles.get(q.show_if["question"])
                shown_for = ", ".join(
                    c.text for c in (target.choices if target else ()) if c.id in q.show_if["in"]
                )
                note = _("Answer only if the answer to “%(q)s” is: %(a)s.") % {
                    "q": target.text if target else q.show_if["question"],
                    "a": shown_for,
                }
                help_text = f"{help_text} {note}".strip()
            common = {"label": q.text, "required": False, "help_text": help_text}
            initial = answers.get(q.id)
            if q.type == "single":
                field = forms.ChoiceField(
                    choices=[(c.id, c.text) for c in q.choices], widget=forms.RadioSelect, **common
                )
            elif q.type == "multiple":
                field = forms.MultipleChoiceField(
                    choices=[(c.id, c.text) for c in q.choices],
                    widget=forms.CheckboxSelectMultiple,
                    **common,
                )
            elif q.type == "number":
                field = forms.DecimalField(**common)
            elif q.type == "date":
                field = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
            else:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
            field.initial = initial
            self.fields[q.id] = field

    def answers(self) -> dict:
        out = {}
        for q in self.section.questions:
            value = self.cleaned_data.get(q.id)
            if q.type == "number" and value is not None:
                value = str(value)
            elif q.type == "date" and value is not None:
                value = value.isoformat()
            out[q.id] = value if value not in (None, "") else None
        return out


class StartForm(forms.Form):
    template = forms.ChoiceField(label=_("Questionnaire"), widget=forms.RadioSelect)
    language = forms.ChoiceField(
        label=_("Language"), choices=[("en", "English"), ("fr", "Français")], initial="en"
    )

    def __init__(self, *args, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = templates


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Results file saved by Canada's AIA tool (.json)"),
        help_text=_("Unknown questions or answers are listed and nothing is imported."),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("en", "English"), ("fr", "Français")], initial="en"
    )


class RiskForm(forms.ModelForm):
    class Meta:
        model = Risk
        fields = [
            "risk",
            "affected_groups",
            "likelihood",
            "severity",
            "mitigation",
            "owner",
            "residual",
        ]
        widgets = {
            "risk": forms.Textarea(attrs={"rows": 2}),
            "affected_groups": forms.Textarea(attrs={"rows": 2}),
            "mitigation": forms.Textarea(attrs={"rows": 3}),
        }


class EngagementForm(forms.ModelForm):
    class Meta:
        model = Engagement
        fields = ["who", "when", "how", "what_changed"]
        widgets = {
            "who": forms.Textarea(attrs={"rows": 2}),
            "when": forms.DateInput(attrs={"type": "date"}),
            "how": forms.Textarea(attrs={"rows": 2}),
            "what_changed": forms.Textarea(attrs={"rows": 3}),
        }


class ReviewForm(forms.Form):
    recommendation = forms.ChoiceField(
        label=_("Your recommendation"), choices=Decision.choices, widget=forms.RadioSelect
    )
    opinion = forms.CharField(label=_("Opinion"), widget=forms.Textarea(attrs={"rows": 6}))


class SignOffForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    conditions = forms.CharField(
        label=_("Conditions (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For “deploy with conditions”. Each must be met before deployment; start a line "
            "with “ongoing:” for a condition that applies while in use."
        ),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required for “do not deploy”: say why."),
    )

    def condition_list(self) -> list[dict]:
        out = []
        for line in (self.cleaned_data.get("conditions") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            ongoing = line.lower().startswith("ongoing:")
            out.append(
                {
                    "text": line.split(":", 1)[1].strip() if ongoing else line,
                    "before_deployment": not ongoing,
                }
            )
        return out


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("What must change"), widget=forms.Textarea(attrs={"rows": 4}))


class EvidenceForm(forms.Form):
    evidence = forms.CharField(
        label=_("How it is met, and where that is shown"), widget=forms.Textarea(attrs={"rows": 3})
    )


class PilotPlanForm(forms.ModelForm):
    class Meta:
        model = PilotPlan
        fields = ["scope", "population", "duration", "success_criteria", "monitoring"]
        widgets = {
            f: forms.Textarea(attrs={"rows": 3})
            for f in ["scope", "population", "success_criteria", "monitoring"]
        }


class PilotEvaluationForm(forms.Form):
    results = forms.CharField(
        label=_("Results against each success criterion"), widget=forms.Textarea(attrs={"rows": 6})
    )
    criteria_met = forms.TypedChoiceField(
        label=_("Were the success criteria met?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )


class PolicyForm(forms.Form):
    reviewers_required = forms.IntegerField(
        label=_("Independent reviewers"), min_value=0, max_value=5
    )
    reviewer_role = forms.ChoiceField(label=_("Reviewers' role"), choices=ROLE_CHOICES)
    approvers_required = forms.IntegerField(label=_("Distinct approvers"), min_value=1, max_value=5)
    approver_role = forms.ChoiceField(label=_("Approvers' role"), choices=ROLE_CHOICES)
