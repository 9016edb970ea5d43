from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import (
    MAX_COMMENT,
    MAX_NAME,
    MAX_POLICY,
    MAX_RESPONSE,
    MAX_TEXT,
    TEXT_FIELDS,
    ErrorStatus,
    HonouredHow,
)

HONEYPOT = "website"


def translation_languages() -> list[tuple[str, str]]:
    original = settings.LANGUAGE_CODE.split("-")[0]
    return [(code, name) for code, name in settings.LANGUAGES if code != original]


class RecordForm(forms.Form):
    last_reviewed = forms.DateField(
        label=_("Last reviewed"),
        required=False,
        help_text=_("YYYY-MM-DD"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    opt_out_available = forms.BooleanField(
        label=_("People can opt out of the system"),
        required=False,
        help_text=_("Shows a form on the public page to ask to opt out."),
    )
    human_alternative_available = forms.BooleanField(
        label=_("People can ask a person to decide instead"),
        required=False,
        help_text=_("Shows a form on the public page to ask for a person."),
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
        for key in ("last_reviewed", "opt_out_available", "human_alternative_available"):
            fields[key] = self.fields[key]
        for lang, lang_name in translation_languages():
            for name, label in TEXT_FIELDS:
                if name == "contact":
                    continue
                fields[f"tr_{lang}_{name}"] = forms.CharField(
                    label=f"{label} ({lang_name})",
                    required=False,
                    max_length=MAX_TEXT,
                    widget=forms.Textarea(attrs={"rows": 2, "lang": lang}),
                )
        self.fields = fields

    @staticmethod
    def initial_from(record) -> dict:
        initial = {name: getattr(record, name) for name, _label in TEXT_FIELDS}
        initial["last_reviewed"] = record.last_reviewed
        initial["opt_out_available"] = record.opt_out_available
        initial["human_alternative_available"] = record.human_alternative_available
        for lang, fields in (record.translations or {}).items():
            for name, text in fields.items():
                initial[f"tr_{lang}_{name}"] = text
        return initial

    def values(self) -> dict:
        """The cleaned data as the service takes it: translations gathered in one mapping."""
        data = dict(self.cleaned_data)
        translations: dict[str, dict[str, str]] = {}
        for key in [k for k in data if k.startswith("tr_")]:
            _prefix, lang, name = key.split("_", 2)
            text = data.pop(key)
            if text:
                translations.setdefault(lang, {})[name] = text
        data["translations"] = translations
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class GroundForm(forms.Form):
    legal_ground = forms.CharField(
        label=_("Legal ground"),
        min_length=20,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- consultations (staff) ---------------------------------------------------------------------


class ConsultationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What the consultation is about"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    opens_on = forms.DateField(
        label=_("Opens on"),
        help_text=_("YYYY-MM-DD"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    closes_on = forms.DateField(
        label=_("Closes on"),
        help_text=_("YYYY-MM-DD. The last day comments are accepted."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    questions = forms.CharField(
        label=_("Questions"),
        required=False,
        help_text=_("One question per line. People may also send a general comment."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("Document"),
        help_text=_("PDF, images, office documents or UTF-8 text, within the upload size limit."),
    )


class ResponseForm(forms.Form):
    heard = forms.CharField(
        label=_("What we heard"), max_length=MAX_RESPONSE, widget=forms.Textarea(attrs={"rows": 6})
    )
    changed = forms.CharField(
        label=_("What we changed"),
        max_length=MAX_RESPONSE,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ModerateForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Publish")), ("reject", _("Do not publish"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (needed when not published)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- the public's forms ------------------------------------------------------------------------


class CommentForm(forms.Form):
    """One field per question of the consultation, a general comment, and an optional name."""

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        for index, question in enumerate(questions):
            self.fields[f"answer_{index}"] = forms.CharField(
                label=question,
                required=False,
                max_length=MAX_COMMENT,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        self.fields["general"] = forms.CharField(
            label=_("General comment"),
            required=False,
            max_length=MAX_COMMENT,
            help_text=_("At most %(n)d characters per answer.") % {"n": MAX_COMMENT},
            widget=forms.Textarea(attrs={"rows": 5}),
        )
        self.fields["name"] = forms.CharField(
            label=_("Your name"),
            required=False,
            max_length=MAX_NAME,
            help_text=_("Optional."),
        )
        self.fields["show_name"] = forms.BooleanField(
            label=_("Show my name with my comment"),
            required=False,
            help_text=_("Without this, your comment is published without a name."),
        )

    def answers(self) -> dict:
        data = self.cleaned_data
        found: dict = {}
        for key, value in data.items():
            if key.startswith("answer_"):
                found[int(key.split("_", 1)[1])] = value
        found[None] = data.get("general", "")
        return found


class RecordErrorForm(forms.Form):
    description = forms.CharField(
        label=_("What is wrong in this record?"),
        max_length=5000,
        help_text=_("At most 5000 characters. Please do not include other people's details."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    contact_email = forms.EmailField(
        label=_("Your e-mail address"),
        required=False,
        max_length=254,
        help_text=_("Optional. Only to send you the link to follow the answer. Not published."),
    )


class OptOutForm(forms.Form):
    name = forms.CharField(label=_("Your name"), required=False, max_length=MAX_NAME)
    case_reference = forms.CharField(
        label=_("Your case or file number"),
        required=False,
        max_length=100,
        help_text=_("Optional. It helps the agency find your case."),
    )
    contact_email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        max_length=254,
        help_text=_("Give at least one way to answer you: e-mail, telephone or post."),
    )
    contact_phone = forms.CharField(label=_("Telephone"), required=False, max_length=40)
    contact_post = forms.CharField(
        label=_("Postal address"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    details = forms.CharField(
        label=_("Anything the agency should know"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


# --- staff handling ----------------------------------------------------------------------------


class HandleOptOutForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("honoured", _("Honoured")), ("refused", _("Refused"))],
        widget=forms.RadioSelect,
    )
    how = forms.ChoiceField(
        label=_("How it was honoured"),
        required=False,
        choices=[("", "—"), *HonouredHow.choices],
    )
    note = forms.CharField(
        label=_("Note to the person (the reason, when refused)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ErrorAnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(c, label) for c, label in ErrorStatus.choices if c != ErrorStatus.RECEIVED],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("Answer to the person"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class PolicyForm(forms.Form):
    text = forms.CharField(
        label=_("The agency's AI policy"),
        required=False,
        max_length=MAX_POLICY,
        help_text=_("Plain text. Blank lines start paragraphs, lines starting with - make lists."),
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    optout_days = forms.IntegerField(
        label=_("Days to answer an opt-out request"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=_("Optional. Leave empty for no deadline."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for lang, lang_name in translation_languages():
            self.fields[f"text_{lang}"] = forms.CharField(
                label=_("The AI policy in %(language)s") % {"language": lang_name},
                required=False,
                max_length=MAX_POLICY,
                widget=forms.Textarea(attrs={"rows": 8, "lang": lang}),
            )
