"""Two fragments other pages include (charter rule 10: the FAQ answers before we have to).

``knowledge:suggest`` — the articles that match a question, as an HTML fragment.

    GET /<language>/faq/suggest/?q=<text>&language=<xx>[&visit=<token>][&limit=<1-10>]
                                [&case=<registration number>&target=<textarea id>]

    q         the question so far (subject and message); up to 2000 characters. Without it,
              the fields a question form sends as they are named: ``subject``, ``body`` and
              ``question``, joined (their first 2000 characters)
    language  nl, fr, de or en; by default the page's language
    visit     the question form's random token (8-64 of A-Z a-z 0-9 _ -): the articles shown
              are recorded for the visit, and a visit that then sends no question counts as
              answered by the FAQ. The portal calls
              ``loket.knowledge.services.suggestion_question_sent(visit=…, case=…)`` when it
              registers the question of that visit.
    limit     how many articles (default 5)
    case      desk only (a staff member who may see the case): the question defaults to the
              case's subject and first message, the language to the client's, and each
              article gets an "Insert into the reply" button
    target    desk only: the id of the reply's <textarea>; the button inserts the article's
              text there (loket/static/loket/knowledge.js) and records the use

    200  <section class="faq-suggestions" aria-labelledby="faq-suggestions-title">
           <h2 id="faq-suggestions-title">…</h2>
           <ul><li class="faq-suggestion" data-article="<id>">
                 <a href="/<language>/faq/<address>/">title</a> <p>snippet</p>
                 (with a visit, the question form's variant: the link opens in a new tab, so
                  what the client typed stays, and says so)
                 [desk: <form class="faq-insert" method="post" action="…/desk/knowledge/use/"
                          data-insert-into="<target>"> … <button>Insert into the reply</button>
                        </form>]
           </li>…</ul>
         </section>
         (empty when nothing matches, so the page shows nothing)
         with a visit, also <p id="faq-suggestions-status" hx-swap-oob="innerHTML">: how many
         articles were found, in one sentence (empty when none), for the form's polite status
         region (role="status"), so a screen reader says that much and no more
    400  the parameters are wrong (the fragment says so); 403/404 for a case one may not see

The portal's question form (loket/portal/templates/portal/ask.html) includes it with htmx:
``<div id="faq-suggestions" hx-get="{% url 'knowledge:suggest' %}"
hx-trigger="input changed delay:800ms from:#id_question" hx-include="#id_question, #id_visit">``
and ``<p id="faq-suggestions-status" role="status">``; without JavaScript it links to the FAQ.

``knowledge_desk:use`` — an agent inserted an article into a reply.

    POST /<language>/desk/knowledge/use/   case=<registration number>&article=<id>[&next=<path>]

Records ``article_use_record`` (once per case and article; an event on the case). Answers
JSON ``{"recorded": true, "article": <id>, "language": "<xx>", "text": "<title and text>"}``
when asked for JSON (knowledge.js does), else redirects to `next` (a path on this site) with
``faq_article=<id>`` added, so a page without JavaScript can put the text in its reply form
(``loket.knowledge.selectors.article_reply_text``).
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from loket.accounts.roles import roles_of
from loket.cases.access import Action
from loket.cases.models import Case
from loket.desk.access import DeskRequest, case_for, staff_required

from ..forms import ArticleUseForm, SuggestForm
from ..search import search_articles
from ..selectors import article_reply_text, case_question, public_articles
from ..services import KnowledgeError, article_use_record, suggestion_shown_record

TEMPLATE = "knowledge/fragments/suggest.html"
# What a question form sends as it is, when it names no `q`: the portal's "question", a
# form with a subject and a message "subject" and "body".
QUESTION_FIELDS = ("subject", "body", "question")
QUERY_LENGTH = 2000


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    form = SuggestForm(request.GET)
    if not form.is_valid():
        return render(request, TEMPLATE, {"errors": form.errors}, status=400)
    data = form.cleaned_data
    query = str(data["q"] or "") or _typed_question(request)
    language = str(data["language"] or (get_language() or "nl")[:2])
    limit = data["limit"] or 5
    case = None
    if data["case"]:
        case = _staff_case(request, data["case"])
        query = query or case_question(case)
        language = str(data["language"] or case.language)
    hits = search_articles(query, language, limit) if query.strip() else []
    if hits and data["visit"] and case is None:
        suggestion_shown_record(
            visit=data["visit"],
            language=language,
            query=query,
            articles=[hit.article_id for hit in hits],
        )
    return render(
        request,
        TEMPLATE,
        {
            "items": hits,
            "language": language,
            "case": case,
            "target": data["target"] or "",
            "next": _path_of(request.headers.get("HX-Current-URL", "")),
            "visit": data["visit"] if case is None else "",
        },
    )


def _path_of(url: str) -> str:
    """The path and query of the page htmx says it is on (it sends an absolute URL); the
    insert form sends it back as `next`, which must be a path on this site."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _typed_question(request: HttpRequest) -> str:
    """The question as a form sends it, field by field (see QUESTION_FIELDS)."""
    parts = (request.GET.get(name, "") for name in QUESTION_FIELDS)
    return " ".join(part.strip() for part in parts if part.strip())[:QUERY_LENGTH]


def _staff_case(request: HttpRequest, reference: str) -> Case:
    """The case, for a staff member who may see it (403 for anyone else, 404 when unseen)."""
    if not roles_of(request.user):
        raise PermissionDenied
    return case_for(request, reference, Action.VIEW)  # type: ignore[arg-type]


@staff_required
@require_POST
def use(request: DeskRequest) -> HttpResponse:
    form = ArticleUseForm(request.POST)
    wants_json = "application/json" in request.headers.get("Accept", "")
    if not form.is_valid():
        if wants_json:
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        return HttpResponseBadRequest(_("Say which article goes into the reply of which case."))
    case = case_for(request, form.cleaned_data["case"], Action.ANSWER)
    article = get_object_or_404(public_articles(), pk=form.cleaned_data["article"])
    try:
        article_use_record(actor=request.user, case=case, article=article)
    except KnowledgeError as error:
        if wants_json:
            return JsonResponse({"errors": error.messages}, status=400)
        return HttpResponseBadRequest(" ".join(error.messages))
    language, text = article_reply_text(article, case.language)
    if wants_json:
        return JsonResponse(
            {"recorded": True, "article": article.pk, "language": language, "text": text}
        )
    target = form.cleaned_data["next"] or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) or not target.startswith("/"):
        return redirect("desk:case", reference=case.reference)
    separator = "&" if "?" in target else "?"
    return redirect(f"{target}{separator}{urlencode({'faq_article': article.pk})}")
