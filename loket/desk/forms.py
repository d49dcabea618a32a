"""The desk's forms: they parse and check what a person typed; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loket.accounts.models import Language, Team, User
from loket.cases.clients import email_addresses_normalised, phone_numbers_normalised
from loket.cases.models import Case, Channel, Client, Topic
from loket.cases.rules import answer_channel
from loket.deadlines.models import DeadlinePolicy

from .models import ReplyTemplate
from .queues import QUEUE_LABELS, SORT_LABELS, Queue, QueueFilters, Sort
from .selectors import forward_people, forward_teams, reply_templates

ANY = [("", _("any"))]


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (also none), each checked like a single file."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _topics() -> forms.ModelChoiceField[Topic]:
    return forms.ModelChoiceField(
        Topic.objects.filter(active=True).order_by("code"),
        label=_("Topic"),
        required=False,
        empty_label=_("(no topic)"),
    )


# --- queues -------------------------------------------------------------------------------


class QueueForm(forms.Form):
    queue = forms.ChoiceField(label=_("Queue"), choices=list(QUEUE_LABELS.items()), required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=ANY + Channel.choices, required=False)
    topic = forms.ModelChoiceField(
        Topic.objects.order_by("code"), label=_("Topic"), required=False, empty_label=_("any")
    )
    status = forms.ChoiceField(label=_("Status"), choices=ANY + Case.Status.choices, required=False)
    language = forms.ChoiceField(
        label=_("Language"), choices=ANY + Language.choices, required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ANY + Case.Kind.choices, required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=list(SORT_LABELS.items()), required=False)
    page = forms.IntegerField(min_value=1, max_value=10_000, required=False)

    FILTERS = ("channel", "topic", "status", "language", "kind", "sort")

    def select_fields(self) -> list[dict[str, Any]]:
        """The filters as plain selects: name, label, errors and (value, label, selected)
        options, every label translated once (the queue page is the busiest page)."""
        found = []
        for name in self.FILTERS:
            field = self.fields[name]
            current = str(self.data.get(name, "") or "")
            options = [
                (str(value), str(label), str(value) == current)
                for value, label in field.choices  # type: ignore[attr-defined]
            ]
            found.append(
                {
                    "name": name,
                    "label": str(field.label),
                    "options": options,
                    "errors": self.errors.get(name, []) if self.is_bound else [],
                }
            )
        return found

    def queue_and_filters(self) -> tuple[Queue | None, QueueFilters]:
        data = self.cleaned_data
        topic = data.get("topic")
        filters = QueueFilters(
            channel=data.get("channel") or "",
            topic=topic.pk if topic else None,
            status=data.get("status") or "",
            language=data.get("language") or "",
            kind=data.get("kind") or "",
            sort=Sort(data.get("sort") or Sort.DUE),
        )
        return (Queue(data["queue"]) if data.get("queue") else None), filters


# --- actions on a case --------------------------------------------------------------------


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 10}))
    channel = forms.ChoiceField(label=_("Send by"))
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args: Any, answering: Case, emails: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(Channel.EMAIL.value, Channel.EMAIL.label)] if emails else []
        choices.append((Channel.POST.value, _("letter (post)")))
        if answering.channel not in (Channel.EMAIL, Channel.WEB, Channel.POST, Channel.FAX):
            choices.append((answering.channel, Channel(answering.channel).label))
        channel = self.fields["channel"]
        assert isinstance(channel, forms.ChoiceField)  # noqa: S101 - declared above
        channel.choices = choices
        default = answer_channel(answering.channel, client_has_email=bool(emails))
        if default in (Channel.PHONE, Channel.COUNTER):  # a written reply to a spoken question
            default = Channel.EMAIL if emails else Channel.POST
        channel.initial = default


class TemplateField(forms.ModelChoiceField[ReplyTemplate]):
    def label_from_instance(self, obj: ReplyTemplate) -> str:
        return obj.name


class TemplateChoiceForm(forms.Form):
    """A reply template in the case's language (the client's)."""

    template = TemplateField(
        ReplyTemplate.objects.none(), label=_("Reply template"), empty_label=_("choose one")
    )

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = reply_templates(language)  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 3}))


class PhoneAnswerForm(forms.Form):
    body = forms.CharField(
        label=_("What the client was told"), widget=forms.Textarea(attrs={"rows": 4})
    )


class ForwardForm(forms.Form):
    """Forward to the back office (charter rule 7): a person from the routing suggestion
    (its radios, loket/routing/views.py), or a team and a person from the lists. Nobody
    chosen leaves the case to the topic's rule: its first suggested person, or its team."""

    # Rendered by the routing suggestion inside the form, as radios named `owner`.
    owner = forms.ModelChoiceField(User.objects.filter(is_active=True), required=False)
    team = forms.ModelChoiceField(
        Team.objects.none(), label=_("Back-office team"), required=False, empty_label="—"
    )
    person = forms.ModelChoiceField(
        User.objects.none(), label=_("Or a person"), required=False, empty_label="—"
    )
    note = forms.CharField(
        label=_("Note for the back office"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = forward_teams()  # type: ignore[attr-defined]
        self.fields["person"].queryset = forward_people()  # type: ignore[attr-defined]

    def add_prefix(self, field_name: str) -> str:
        # The suggestion fragment names its radios `owner`, whatever form includes it.
        return field_name if field_name == "owner" else super().add_prefix(field_name)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        owner, person = data.get("owner"), data.get("person")
        if owner and person and owner != person:
            raise forms.ValidationError(
                _("Choose one person: a suggested one or one from the list.")
            )
        return data

    def chosen_owner(self) -> str | None:
        """The suggested person picked, as posted ("" for nobody in particular), so the
        suggestion shows the choice again when the form comes back with an error."""
        if not self.is_bound:
            return None
        value = self["owner"].value()
        return None if value is None else str(value)


class TopicForm(forms.Form):
    topic = forms.ModelChoiceField(
        Topic.objects.filter(active=True).order_by("code"),
        label=_("Topic"),
        required=False,
        empty_label=_("(no topic)"),
    )


class PolicyForm(forms.Form):
    policy = forms.ModelChoiceField(
        DeadlinePolicy.objects.order_by("working_days", "code"), label=_("Deadline policy")
    )
    reason = forms.CharField(label=_("Why"), required=False, max_length=500)


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("Remark (optional)"), required=False, max_length=500)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why it is reopened"), max_length=500)


class DelayNoticeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the delay (the client reads it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    new_due_date = forms.DateField(label=_("New term"), widget=DateInput())


# --- registration -------------------------------------------------------------------------


REGISTER_CHANNELS = [
    (c.value, c.label)
    for c in (
        Channel.PHONE,
        Channel.POST,
        Channel.FAX,
        Channel.COUNTER,
        Channel.SOCIAL,
        Channel.EMAIL,
    )
]


class RegisterForm(forms.Form):
    """A question taken in at the desk: who asks (a known client or a new one), what, and
    how it came in."""

    channel = forms.ChoiceField(label=_("Received by"), choices=REGISTER_CHANNELS)
    find = forms.CharField(
        label=_("Find the client by phone number, name or e-mail"), required=False
    )
    client = forms.ModelChoiceField(Client.objects.all(), required=False, widget=forms.HiddenInput)
    new_name = forms.CharField(label=_("Name"), required=False, max_length=200)
    new_organisation = forms.CharField(
        label=_("Organisation (e.g. the OCMW/CPAS)"), required=False, max_length=200
    )
    new_language = forms.ChoiceField(label=_("Language"), choices=Language.choices, required=False)
    new_email = forms.EmailField(label=_("E-mail address"), required=False)
    new_phone = forms.CharField(label=_("Phone number"), required=False, max_length=40)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(label=_("The question"), widget=forms.Textarea(attrs={"rows": 5}))
    topic = _topics()
    kind = forms.ChoiceField(label=_("Kind"), choices=Case.Kind.choices, initial=Case.Kind.QUESTION)
    received_at = forms.DateTimeField(
        label=_("Date received"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("For a letter or a fax: when it arrived; the term counts from it. Empty: now."),
    )
    scan = forms.FileField(label=_("Scan of the letter or fax"), required=False)
    take = forms.BooleanField(label=_("I handle it myself"), required=False, initial=True)
    answer = forms.CharField(
        label=_("Answered during the call: what the client was told"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Leave empty when the question still has to be answered."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("client") and not (data.get("new_name") or "").strip():
            self.add_error(
                "new_name", _("Choose a client from the list, or enter the new client's name.")
            )
        received = data.get("received_at")
        if received is not None and received > timezone.now() + dt.timedelta(minutes=5):
            self.add_error("received_at", _("The date received cannot be in the future."))
        return data


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200)
    page = forms.IntegerField(min_value=1, max_value=1000, required=False)


class NotificationsReadForm(forms.Form):
    notification = forms.IntegerField(required=False, min_value=1)


# --- clients ------------------------------------------------------------------------------


class LinesField(forms.CharField):
    """A textarea with one value per line; the values as a list, blank lines left out."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class ClientChangeForm(forms.Form):
    """A client's contact details as staff correct them (`client_update` checks them)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    organisation = forms.CharField(
        label=_("Organisation (e.g. the OCMW/CPAS)"), required=False, max_length=200
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Client.Kind.choices)
    sector = forms.ChoiceField(label=_("Sector"), choices=Client.Sector.choices)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=Language.choices,
        help_text=_("The client's mails are answered in this language."),
    )
    emails = LinesField(
        label=_("E-mail addresses"), required=False, help_text=_("One address per line.")
    )
    phones = LinesField(
        label=_("Phone numbers"),
        required=False,
        help_text=_("One number per line; from abroad with the country code (+31…)."),
    )
    street = forms.CharField(label=_("Street and number"), required=False, max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=20)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    country = forms.CharField(
        label=_("Country"), max_length=2, help_text=_("Two letters, such as BE.")
    )

    def clean_emails(self) -> list[str]:
        return email_addresses_normalised(self.cleaned_data["emails"])

    def clean_phones(self) -> list[str]:
        return phone_numbers_normalised(self.cleaned_data["phones"])

    @staticmethod
    def initial_for(client: Client) -> dict[str, Any]:
        """The client's details as the form shows them (addresses and numbers in pk order)."""
        return {
            "name": client.name,
            "organisation": client.organisation,
            "kind": client.kind,
            "sector": client.sector,
            "language": client.language,
            "emails": "\n".join(email.address for email in client.emails.all()),
            "phones": "\n".join(phone.number for phone in client.phones.all()),
            "street": client.street,
            "postal_code": client.postal_code,
            "city": client.city,
            "country": client.country,
        }
