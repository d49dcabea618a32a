"""The articles in the desk (/<language>/desk/knowledge/): the list with missing translations
in view, writing an article and its translations, publishing (with the second-person rule),
archiving, and the published versions with what changed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from loket.accounts.models import Language
from loket.desk.access import DeskRequest, staff_required
from loket.desk.views.common import render_page

from ..access import can_publish, can_write
from ..forms import (
    ArticleFilterForm,
    ArticleForm,
    ArticleStepForm,
    NewArticleForm,
    TranslationForm,
)
from ..models import Article, ArticleTranslation, ArticleVersion
from ..selectors import article_events, staff_articles, version_diff
from ..services import (
    article_archive,
    article_create,
    article_publish,
    article_restore,
    article_review_confirm,
    article_submit,
    article_translation_save,
    article_update,
    knowledge_policy,
)
from ..text import LANGUAGES


def _article(pk: int) -> Article:
    return get_object_or_404(Article.objects.select_related("category", "owner"), pk=pk)


def _errors(form: object, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)  # type: ignore[attr-defined]


@staff_required
def article_list(request: DeskRequest) -> HttpResponse:
    form = ArticleFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    rows, total = staff_articles(
        status=filters.get("status") or "",
        category=filters.get("category"),
        missing=filters.get("missing") or "",
        text=(filters.get("q") or "").strip(),
        review_due=bool(filters.get("review_due")),
    )
    return render_page(
        request,
        "knowledge/desk/articles.html",
        {
            "form": form,
            "rows": rows,
            "total": total,
            "language_codes": LANGUAGES,
            "may_write": can_write(request.user),
        },
        partial="rows",
    )


@staff_required
@require_http_methods(["GET", "POST"])
def article_new(request: DeskRequest) -> HttpResponse:
    if not can_write(request.user):
        raise PermissionDenied
    form = NewArticleForm(request.POST or None, initial={"owner": request.user})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            article = article_create(
                actor=request.user,
                slug=data["slug"],
                language=data["language"],
                title=data["title"],
                body=data["body"],
                category=data["category"],
                topics=data["topics"],
                owner=data["owner"] or request.user,
                review_by=data["review_by"],
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("knowledge_desk:article", pk=article.pk)
    status = 400 if form.errors else 200
    return render_page(request, "knowledge/desk/article_new.html", {"form": form}, status=status)


@staff_required
def article_detail(request: DeskRequest, pk: int) -> HttpResponse:
    article = _article(pk)
    translations = {
        t.language: t for t in article.translations.select_related("live", "updated_by")
    }
    return render_page(
        request,
        "knowledge/desk/article.html",
        {
            "article": article,
            "translations": [
                (code, label, translations.get(code)) for code, label in Language.choices
            ],
            "events": article_events(article),
            "candidates": list(article.candidates.all()),
            "may_write": can_write(request.user, article),
            "may_publish": can_publish(request.user),
            "second_person": knowledge_policy().second_person_publishing,
            "step_form": ArticleStepForm(),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def article_edit(request: DeskRequest, pk: int) -> HttpResponse:
    article = _article(pk)
    if not can_write(request.user, article):
        raise PermissionDenied
    initial = {
        "category": article.category,
        "topics": list(article.topics.all()),
        "owner": article.owner,
        "review_by": article.review_by,
    }
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        article_update(
            actor=request.user,
            article=article,
            category=data["category"],
            topics=data["topics"],
            owner=data["owner"],
            review_by=data["review_by"],
        )
        messages.success(request, _("The article is saved."))
        return redirect("knowledge_desk:article", pk=article.pk)
    status = 400 if form.errors else 200
    return render_page(
        request,
        "knowledge/desk/article_edit.html",
        {"article": article, "form": form},
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def translation_edit(request: DeskRequest, pk: int, language: str) -> HttpResponse:
    article = _article(pk)
    if language not in LANGUAGES:
        raise Http404
    if not can_write(request.user, article):
        raise PermissionDenied
    translation = ArticleTranslation.objects.filter(article=article, language=language).first()
    initial = {"title": translation.title, "body": translation.body} if translation else {}
    form = TranslationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            article_translation_save(
                actor=request.user,
                article=article,
                language=language,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("The text is saved as a draft."))
            return redirect("knowledge_desk:article", pk=article.pk)
    status = 400 if form.errors else 200
    return render_page(
        request,
        "knowledge/desk/translation.html",
        {
            "article": article,
            "language": language,
            "language_name": Language(language).label,
            "translation": translation,
            "form": form,
        },
        status=status,
    )


@staff_required
@require_POST
def article_step(request: DeskRequest, pk: int) -> HttpResponse:
    """Submit for review, publish, archive, take out of the archive, confirm a review."""
    article = _article(pk)
    form = ArticleStepForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("knowledge_desk:article", pk=article.pk)
    step = form.cleaned_data["step"]
    allowed = (
        can_publish(request.user)
        if step in ("publish", "archive")
        else can_write(request.user, article)
    )
    if not allowed:
        raise PermissionDenied
    actor = request.user
    try:
        if step == "submit":
            article_submit(actor=actor, article=article)
        elif step == "publish":
            article_publish(actor=actor, article=article)
        elif step == "archive":
            article_archive(actor=actor, article=article)
        elif step == "restore":
            article_restore(actor=actor, article=article)
        else:
            article_review_confirm(
                actor=actor, article=article, review_by=form.cleaned_data["review_by"]
            )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Done."))
    return redirect("knowledge_desk:article", pk=article.pk)


@staff_required
def versions(request: DeskRequest, pk: int) -> HttpResponse:
    """Every published version per language, and what one changed from the version before."""
    article = _article(pk)
    all_versions = list(
        ArticleVersion.objects.filter(article=article).select_related("edited_by", "published_by")
    )
    chosen = None
    diff = []
    language = request.GET.get("language", "")
    number = request.GET.get("number", "")
    if language and number.isdigit():
        chosen = next(
            (v for v in all_versions if v.language == language and v.number == int(number)), None
        )
        if chosen is None:
            raise Http404
        previous = next(
            (v for v in all_versions if v.language == language and v.number == chosen.number - 1),
            None,
        )
        diff = version_diff(previous, chosen)
    return render_page(
        request,
        "knowledge/desk/versions.html",
        {"article": article, "versions": all_versions, "chosen": chosen, "diff": diff},
        partial="diff",
    )
