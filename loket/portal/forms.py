"""The portal's forms. Every field has a visible label; errors are tied to their fields by
Django (aria-invalid, aria-describedby) and summed up at the top of the form."""

from __future__ import annotations

import re
import secrets
import unicodedata
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from loket.cases.models import Topic
from loket.cases.phones import InvalidPhoneNumber, normalise_phone
from loket.cases.references import InvalidReference, format_reference, parse_reference

from .selectors import active_topics
from .uploads import ACCEPT, MAX_FILES, check_upload

HONEYPOT = "website"
HONEYPOT_CODE = "honeypot"
# The question form's visit: a random token the FAQ suggestions are recorded under (the
# knowledge app's SuggestForm accepts the same shape).
VISIT = re.compile(r"[A-Za-z0-9_-]{8,64}")


def new_visit() -> str:
    return secrets.token_urlsafe(18)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field: a list of uploads (empty when none)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def _reading_order(choice: tuple[int, str]) -> str:
    """ "Énergie" between "Dettes" and "Fonds", as people look for it, not after "Z"."""
    decomposed = unicodedata.normalize("NFKD", choice[1])
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def example_reference() -> str:
    return format_reference(settings.LOKET_REFERENCE_PREFIX, timezone.localdate().year, 4217)


class PortalForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # labels are phrases, not "Name:" captions
        super().__init__(*args, **kwargs)


class ContactForm(PortalForm):
    """Who is writing, and the honeypot: a field people never see (the stylesheet hides it)
    and robots fill in."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("We send the registration number and our answer to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Your phone number (optional)"),
        required=False,
        max_length=40,
        help_text=_("Only if we may call you about your question."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data["phone"].strip()
        if not phone:
            return ""
        try:
            return normalise_phone(phone)
        except InvalidPhoneNumber as error:
            raise ValidationError(
                _("This is not a phone number. Write it with its area code, e.g. 02 508 85 85.")
            ) from error

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get(HONEYPOT):
            raise ValidationError(
                _(
                    "Your message was not sent, because a field meant to catch automatic spam "
                    "was filled in. Please send it again."
                ),
                code=HONEYPOT_CODE,
            )
        return cleaned

    @property
    def caught_in_honeypot(self) -> bool:
        return self.has_error(NON_FIELD_ERRORS, HONEYPOT_CODE)


class QuestionForm(ContactForm):
    topic = forms.TypedChoiceField(label=_("Topic"), coerce=int, empty_value=None)
    question = forms.CharField(
        label=_("Your question"),
        max_length=10_000,
        help_text=_("Do not write your national register number: we will ask for it if needed."),
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    attachments = MultipleFileField(
        label=_("Attachments (optional)"),
        required=False,
        help_text=_(
            "Up to 5 files of at most 10 MB each: PDF, JPEG, PNG, Word (doc, docx) or "
            "OpenDocument text (odt)."
        ),
    )

    # Which FAQ articles the form suggested while the client typed (knowledge:suggest): a
    # question sent after all is counted as not answered by them.
    visit = forms.CharField(required=False, strip=True, widget=forms.HiddenInput)

    field_order = ("name", "email", "phone", "topic", "question", "attachments", HONEYPOT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("visit", new_visit())
        # The active topics in the page's language, sorted as the client reads them.
        self.topics = {t.pk: t for t in active_topics()}
        names = sorted(((t.pk, t.name()) for t in self.topics.values()), key=_reading_order)
        field = self.fields["topic"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - for the type checker
        field.choices = [("", _("Choose a topic")), *names]
        # Without any topic (a new installation) the question still gets through.
        field.required = bool(self.topics)

    def clean_visit(self) -> str:
        """A token of another shape is dropped, never an error: the field is hidden, and
        the question must get through whatever became of it."""
        value: str = self.cleaned_data.get("visit") or ""
        return value if VISIT.fullmatch(value) else ""

    def clean_topic(self) -> Topic | None:
        value = self.cleaned_data.get("topic")
        return self.topics.get(value) if value is not None else None

    def clean_attachments(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_FILES:
            raise ValidationError(
                ngettext(
                    "Attach at most %(count)d file.", "Attach at most %(count)d files.", MAX_FILES
                )
                % {"count": MAX_FILES}
            )
        errors = []
        for upload in files:
            try:
                check_upload(str(upload.name), int(upload.size or 0), upload)
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)
        return files


class ComplaintForm(ContactForm):
    earlier_reference = forms.CharField(
        label=_("Registration number of the question it is about (optional)"),
        required=False,
        max_length=40,
    )
    complaint = forms.CharField(
        label=_("Your complaint"),
        max_length=10_000,
        help_text=_("What went wrong, and what you expected from us."),
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    field_order = ("name", "email", "phone", "earlier_reference", "complaint", HONEYPOT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["earlier_reference"].help_text = _(
            "As in our acknowledgement, e.g. %(example)s."
        ) % {"example": example_reference()}

    def clean_earlier_reference(self) -> str:
        text: str = self.cleaned_data["earlier_reference"].strip()
        if not text:
            return ""
        try:
            return str(parse_reference(text))
        except InvalidReference as error:
            raise ValidationError(
                _(
                    "This is not a registration number, or one of its digits is mistyped. "
                    "Check it against our mail, or leave the field empty."
                )
            ) from error


class FollowForm(PortalForm):
    """Any text is accepted as a number here: a mistyped number must get the same answer as
    a wrong one, so the check digits are only read by the lookup."""

    reference = forms.CharField(label=_("Registration number"), max_length=40)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("The address you wrote to us from."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reference"].help_text = _("As in our acknowledgement, e.g. %(example)s.") % {
            "example": example_reference()
        }
