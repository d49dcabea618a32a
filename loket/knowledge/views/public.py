"""The public FAQ (charter rule 10), under /<language>/faq/: home by category, a category,
search, an article with "did this help?", and the suggestion fragment for question forms.

Works without JavaScript; htmx requests get the fragment (``#results``, ``#feedback``).
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from loket.portal.ratelimit import client_ip, hit

from ..forms import FeedbackForm, SearchForm
from ..models import Category
from ..search import search_articles
from ..selectors import category_articles, faq_home, public_article, public_articles
from ..services import KnowledgeError, feedback_record

SEARCH_RESULTS = 20
# "Did this help?": one answer per article and address a day, and at most `faq-feedback-ip`
# answers from one address an hour (loket/portal/ratelimit.py; a welfare centre's staff share
# one address).


def _language() -> str:
    return (get_language() or "nl")[:2]


def _fragment(request: HttpRequest, template: str, name: str) -> str:
    return f"{template}#{name}" if getattr(request, "htmx", False) else template


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "knowledge/public/home.html",
        {"sections": faq_home(_language()), "form": SearchForm()},
    )


@require_GET
def category(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(Category, slug=slug)
    articles = category_articles(found, _language())
    if not articles:
        raise Http404
    return render(
        request,
        "knowledge/public/category.html",
        {"category": found, "articles": articles, "form": SearchForm()},
    )


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    query = form.query()
    hits = search_articles(query, _language(), SEARCH_RESULTS) if query else []
    return render(
        request,
        _fragment(request, "knowledge/public/search.html", "results"),
        {"form": form, "query": query, "hits": hits},
    )


@require_GET
def article(request: HttpRequest, slug: str) -> HttpResponse:
    shown = public_article(slug, _language())
    if shown is None:
        raise Http404
    return render(
        request,
        "knowledge/public/article.html",
        {"shown": shown, "form": SearchForm(), "thanks": request.GET.get("feedback")},
    )


def _may_answer(request: HttpRequest, article_id: int) -> tuple[bool, bool]:
    """(within the hourly limit, first answer today for this article) for the address. The
    address and the hourly count are the portal's (`LOKET_CLIENT_IP_HEADER` behind a proxy,
    the limit `faq-feedback-ip` in `LOKET_PORTAL_RATE_LIMITS`)."""
    address = client_ip(request) or "unknown"
    allowed = hit("faq-feedback-ip", address)
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    first = cache.add(f"loket:faq-feedback:{digest}:{article_id}", 1, 24 * 3600)
    return allowed, first


@require_POST
def feedback(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Did this help?": no login; one answer per article and address a day (a second one
    is thanked but not counted), and a limit per address an hour (429)."""
    found = get_object_or_404(public_articles(), slug=slug)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            _fragment(request, "knowledge/public/feedback.html", "feedback"),
            {"article": found, "form": form, "invalid": True},
            status=400,
        )
    allowed, first = _may_answer(request, found.pk)
    if not allowed:
        return render(
            request,
            _fragment(request, "knowledge/public/feedback.html", "feedback"),
            {"article": found, "limited": True},
            status=429,
        )
    helpful = bool(form.cleaned_data["helpful"])
    if first:
        try:
            feedback_record(article=found, language=_language(), helpful=helpful)
        except KnowledgeError as error:
            raise Http404 from error
    if getattr(request, "htmx", False):
        return render(
            request,
            "knowledge/public/feedback.html#feedback",
            {"article": found, "answered": "yes" if helpful else "no"},
        )
    answer = "yes" if helpful else "no"
    return redirect(f"{reverse('knowledge:article', args=[slug])}?feedback={answer}#feedback")
