"""The knowledge base's forms: what the public FAQ and the desk accept from a request."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loket.accounts.models import Language, User
from loket.accounts.roles import Role
from loket.cases.models import Topic

from .models import Article, Category, Signal


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the questions and answers"), max_length=200, required=False)

    def query(self) -> str:
        return str(self.cleaned_data.get("q") or "").strip() if self.is_valid() else ""


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
    )


class SuggestForm(forms.Form):
    """``GET ?q=<text>&language=<xx>[&visit=<token>][&case=<reference>][&target=<id>]``."""

    q = forms.CharField(max_length=2000, required=False)
    language = forms.ChoiceField(choices=Language.choices, required=False)
    visit = forms.RegexField(regex=r"^[A-Za-z0-9_-]{8,64}$", required=False)
    case = forms.CharField(max_length=30, required=False)
    target = forms.RegexField(regex=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$", required=False)
    limit = forms.IntegerField(min_value=1, max_value=10, required=False)


def _staff() -> Any:
    return User.objects.filter(is_active=True, groups__name__in=Role.values).distinct()


class ArticleFilterForm(forms.Form):
    q = forms.CharField(label=_("Title or address"), max_length=200, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("any status")), *Article.Status.choices], required=False
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("any category"),
    )
    missing = forms.ChoiceField(
        label=_("Translation missing"),
        choices=[("", _("no matter")), *Language.choices],
        required=False,
    )
    review_due = forms.BooleanField(label=_("Review date passed"), required=False)


class ArticleForm(forms.Form):
    """Where an article is filed, who owns it, when it is reviewed next."""

    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"), queryset=Topic.objects.filter(active=True), required=False
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    review_by = forms.DateField(
        label=_("Review by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _staff()  # type: ignore[attr-defined]


class NewArticleForm(ArticleForm):
    slug = forms.SlugField(
        label=_("Address"),
        max_length=120,
        help_text=_("Part of the public address, e.g. integration-income-conditions."),
    )
    language = forms.ChoiceField(label=_("Language of the first text"), choices=Language.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea, required=False)

    field_order = ["slug", "language", "title", "body", "category", "topics", "owner", "review_by"]


class TranslationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 16}),
        required=False,
        help_text=_(
            "HTML with paragraphs (p), lists (ul, ol, li), headings (h2, h3), bold (strong), "
            "italics (em) and links (a). To link to another article, give the link the "
            "address article: followed by that article's address."
        ),
    )


class ArticleStepForm(forms.Form):
    STEPS = ("submit", "publish", "archive", "restore", "review")

    step = forms.ChoiceField(choices=[(s, s) for s in STEPS])
    review_by = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("step") == "review" and not data.get("review_by"):
            self.add_error("review_by", _("Give the date of the next review."))
        return data


class CandidateDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("dismiss", _("Dismiss"))])
    reason = forms.CharField(label=_("Why (optional)"), max_length=500, required=False)


class SignalForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is it?"), choices=Signal.Kind.choices)
    note = forms.CharField(label=_("Note (optional)"), max_length=500, required=False)


class ArticleUseForm(forms.Form):
    case = forms.CharField(max_length=30)
    article = forms.IntegerField(min_value=1)
    next = forms.CharField(max_length=500, required=False)


class PolicyForm(forms.Form):
    second_person_publishing = forms.BooleanField(
        label=_("Publishing needs a second person"),
        required=False,
        help_text=_("Nobody may publish an article whose text they changed themselves."),
    )
    review_months = forms.IntegerField(
        label=_("Months until the next review"), min_value=1, max_value=60
    )


class CandidateFilterForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("all languages")), *Language.choices], required=False
    )

    def language_code(self) -> str:
        return str(self.cleaned_data.get("language") or "") if self.is_valid() else ""
