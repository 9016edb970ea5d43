from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ombuds.registry.models import AUDIT_CHARACTERISTICS, DEMOGRAPHIC_FEATURES

from .services import max_upload_bytes

CHARACTERISTIC_CHOICES = [("", _("— not a protected characteristic"))] + DEMOGRAPHIC_FEATURES


class UploadResultForm(forms.Form):
    file = forms.FileField(
        label=_("Result file (JSON)"),
        help_text=_(
            "The JSON file an engine command wrote, e.g. ombuds audit log.parquet --label outcome "
            "--prediction decision --protected sex --out audit.json"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: what data the result is about, and why it was run."),
    )

    MAX_BYTES = 20 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError(
                _("The file is %(size).1f MB; a result file is at most %(limit)d MB.")
                % {"size": upload.size / 1e6, "limit": self.MAX_BYTES // (1024 * 1024)}
            )
        raw = upload.read()
        try:
            document = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not UTF-8 text.")) from None
        except ValueError as exc:
            raise ValidationError(
                _("The file is not JSON (line %(line)s: %(msg)s).")
                % {"line": getattr(exc, "lineno", "?"), "msg": getattr(exc, "msg", str(exc))}
            ) from None
        except RecursionError:
            raise ValidationError(_("The file is nested too deeply to be a result.")) from None
        if not isinstance(document, dict):
            raise ValidationError(_("The file holds JSON but not an engine result (an object)."))
        return document


class RunAuditForm(forms.Form):
    file = forms.FileField(
        label=_("Decision log (CSV or Parquet)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.tsv,.parquet,.pq"}),
    )
    label = forms.CharField(
        label=_("Column of the true outcome"),
        max_length=200,
        help_text=_("For example: outcome, reoffended, eligible."),
    )
    prediction = forms.CharField(
        label=_("Column of the system's decision"),
        max_length=200,
        required=False,
        help_text=_("0/1, yes/no or true/false. Leave empty to use a score and a threshold."),
    )
    score = forms.CharField(
        label=_("Column of the system's score"),
        max_length=200,
        required=False,
        help_text=_("Only when there is no decision column; give the threshold below."),
    )
    threshold = forms.FloatField(
        label=_("Threshold"),
        required=False,
        help_text=_("A row counts as selected when its score is at least this value."),
    )
    positive = forms.CharField(
        label=_("Value of the outcome that means positive"),
        max_length=200,
        required=False,
        help_text=_("Only if the outcome is not 0/1, yes/no or true/false."),
    )
    protected = forms.CharField(
        label=_("Protected columns"),
        max_length=2000,
        help_text=_("Separate with commas, e.g. sex, ethnicity, disability."),
    )
    reference = forms.CharField(
        label=_("Reference groups"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Optional, one per line as column=group, e.g. sex=M. Otherwise the largest group is "
            "the reference."
        ),
    )
    min_group_size = forms.IntegerField(
        label=_("Smallest group reported"),
        initial=30,
        min_value=1,
        max_value=1_000_000,
        help_text=_("Smaller groups are counted but their rates are withheld."),
    )
    intervention = forms.ChoiceField(
        label=_("What being selected means for a person"),
        required=False,
        choices=[
            ("", _("Not said")),
            ("punitive", _("Punitive (an investigation, a sanction)")),
            ("assistive", _("Assistive (help, a benefit)")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = max_upload_bytes() // (1024 * 1024)
        self.fields["file"].help_text = _(
            "Up to %(limit)d MB. Ombuds keeps the file only until the audit has run; it keeps "
            "the results and a fingerprint of the file."
        ) % {"limit": limit}

    def clean_protected(self):
        return [c.strip() for c in self.cleaned_data["protected"].split(",") if c.strip()]

    def clean_reference(self):
        out = {}
        for line in (self.cleaned_data.get("reference") or "").splitlines():
            if not line.strip():
                continue
            column, sep, group = line.partition("=")
            if not sep or not column.strip() or not group.strip():
                raise ValidationError(
                    _("Write each reference as column=group; “%(line)s” is not.")
                    % {"line": line.strip()}
                )
            out[column.strip()] = group.strip()
        return out

    def options(self) -> dict:
        data = self.cleaned_data
        return {
            "label": data["label"],
            "prediction": data.get("prediction") or None,
            "score": data.get("score") or None,
            "threshold": data.get("threshold"),
            "positive": data.get("positive") or None,
            "protected": data["protected"],
            "reference": data.get("reference") or {},
            "min_group_size": data["min_group_size"],
            "intervention": data.get("intervention") or None,
        }


class CharacteristicsForm(forms.Form):
    """Which characteristic each protected column of an evaluation holds."""

    def __init__(self, *args, columns: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = columns
        for i, column in enumerate(columns):
            self.fields[f"col_{i}"] = forms.ChoiceField(
                label=_("Column “%(column)s” holds") % {"column": column},
                choices=CHARACTERISTIC_CHOICES,
                required=False,
            )

    def mapping(self) -> dict[str, str | None]:
        return {
            column: (self.cleaned_data.get(f"col_{i}") or None)
            for i, column in enumerate(self.columns)
        }


class FindingsResponseForm(forms.Form):
    findings_response = forms.CharField(
        label=_("What was done about the findings"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Say what the findings mean for the people concerned, what was changed or decided "
            "(and by whom), and what is monitored from now on."
        ),
    )


class PeerReviewForm(forms.Form):
    reviewer_name = forms.CharField(label=_("Reviewer"), max_length=200)
    reviewer_organisation = forms.CharField(label=_("Reviewer's organisation"), max_length=200)
    reviewed_on = forms.DateField(
        label=_("Date of the review"), widget=forms.DateInput(attrs={"type": "date"})
    )
    conclusion = forms.CharField(
        label=_("Conclusion"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The reviewer's conclusion in their words, with any reservation."),
    )
    independent = forms.BooleanField(
        label=_("The reviewer is qualified and outside the team that built or runs the system"),
        required=False,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional: where the full review is kept."),
    )


class ProtectedCharacteristicsForm(forms.Form):
    """For each characteristic: whether an audit must cover it, whether the data has it, and if
    not, why and how its disparities are assessed instead."""

    def __init__(self, *args, entries: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        current = {e["id"]: e for e in entries if isinstance(e, dict) and "id" in e}
        default = not current
        self.groups = []
        for code, label in DEMOGRAPHIC_FEATURES:
            entry = current.get(code)
            applies = (code in AUDIT_CHARACTERISTICS) if default else entry is not None
            collected = "" if entry is None else ("yes" if entry.get("collected") else "no")
            self.fields[f"{code}-applies"] = forms.BooleanField(
                label=_("A bias audit must cover %(name)s") % {"name": label},
                required=False,
                initial=applies,
            )
            self.fields[f"{code}-collected"] = forms.ChoiceField(
                label=_("Is %(name)s recorded in the data?") % {"name": label},
                choices=[("yes", _("Yes")), ("no", _("No"))],
                widget=forms.RadioSelect,
                required=False,
                initial=collected or None,
            )
            self.fields[f"{code}-why_not"] = forms.CharField(
                label=_("%(name)s: why it is not recorded") % {"name": label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=(entry or {}).get("why_not", ""),
            )
            self.fields[f"{code}-alternative"] = forms.CharField(
                label=_("%(name)s: how disparities are assessed instead") % {"name": label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=(entry or {}).get("alternative", ""),
                help_text=_(
                    "For example a survey sample of the people concerned, a proxy method "
                    "(such as surname and postcode), or a review of complaints and appeals."
                ),
            )
            self.groups.append(
                {
                    "code": code,
                    "label": label,
                    "audit_default": code in AUDIT_CHARACTERISTICS,
                    "fields": [self[f"{code}-{part}"] for part in FIELDS],
                }
            )

    @property
    def sections(self):
        return [
            (_("Named for bias audits"), [g for g in self.groups if g["audit_default"]]),
            (_("Other characteristics"), [g for g in self.groups if not g["audit_default"]]),
        ]

    def clean(self):
        data = super().clean()
        for code, label in DEMOGRAPHIC_FEATURES:
            if data.get(f"{code}-applies") and not data.get(f"{code}-collected"):
                self.add_error(
                    f"{code}-collected",
                    _("Say whether %(name)s is recorded in the data.") % {"name": label},
                )
        return data

    def entries(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "id": code,
                "collected": data.get(f"{code}-collected") == "yes",
                "why_not": data.get(f"{code}-why_not", ""),
                "alternative": data.get(f"{code}-alternative", ""),
            }
            for code, _label in DEMOGRAPHIC_FEATURES
            if data.get(f"{code}-applies")
        ]

    def field_for(self, index: int, entries: list[dict]) -> str | None:
        """The form field a service error on protected_characteristics[index] belongs to."""
        if 0 <= index < len(entries):
            return f"{entries[index]['id']}-why_not"
        return None


FIELDS = ("applies", "collected", "why_not", "alternative")
