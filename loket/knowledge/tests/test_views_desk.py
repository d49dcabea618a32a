"""The knowledge base in the desk: who may open and do what, and each page doing its job
through the services."""

from __future__ import annotations

import json

import pytest
from django.test import Client as Browser

from loket.accounts.models import User
from loket.cases.models import Case, Client, Event
from loket.cases.services import case_register
from loket.knowledge.models import Article, ArticleUse, FaqCandidate, Signal
from loket.knowledge.services import knowledge_policy_change

pytestmark = pytest.mark.django_db
ROLES = ["agent", "expert", "coordinator", "manager", "administrator"]


@pytest.fixture
def case(client_record: Client) -> Case:
    return case_register(
        actor=None,
        client=client_record,
        channel="email",
        subject="Factuur ziekenhuis",
        body="Het ziekenhuis vraagt ons de beslissing dringende medische hulp in MediPrima.",
    )


@pytest.fixture
def candidate(case: Case) -> FaqCandidate:
    from django.utils import timezone

    made = FaqCandidate.objects.create(
        language="nl",
        title="Leefloon en reizen naar het buitenland",
        terms=["buitenland", "reis"],
        size=7,
        examples=[case.reference],
        source=FaqCandidate.Source.GAP_FINDER,
        proposed_at=timezone.now(),
        seen_at=timezone.now(),
    )
    made.cases.add(case)
    return made


def pages(article: Article, case: Case) -> list[str]:
    return [
        "/en/desk/knowledge/",
        f"/en/desk/knowledge/{article.pk}/",
        f"/en/desk/knowledge/{article.pk}/versions/",
        "/en/desk/knowledge/candidates/",
        "/en/desk/knowledge/signals/",
    ]


def test_anonymous_visitors_go_to_the_login_page(
    client: Browser, faq: dict[str, Article], case: Case
) -> None:
    article = faq["apply"]
    paths = [
        *pages(article, case),
        "/en/desk/knowledge/new/",
        f"/en/desk/knowledge/{article.pk}/edit/",
        f"/en/desk/knowledge/{article.pk}/nl/",
        f"/en/desk/knowledge/cases/{case.reference}/flag/",
        "/en/desk/knowledge/rules/",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302 and "/desk/login/" in response["Location"], path
    for path in ("/en/desk/knowledge/use/", f"/en/desk/knowledge/{article.pk}/step/"):
        assert client.post(path, {}).status_code == 302


def test_people_without_a_staff_role_are_refused(
    client: Browser, outsider: User, faq: dict[str, Article], case: Case
) -> None:
    client.force_login(outsider)
    for path in [*pages(faq["apply"], case), "/en/desk/knowledge/rules/"]:
        assert client.get(path).status_code == 403, path
    assert client.post("/en/desk/knowledge/use/", {}).status_code == 403
    response = client.get("/nl/faq/suggest/", {"case": case.reference})
    assert response.status_code == 403


@pytest.mark.parametrize("person", ROLES)
def test_every_staff_role_reads_the_knowledge_base(
    client: Browser,
    person: str,
    faq: dict[str, Article],
    case: Case,
    candidate: FaqCandidate,
    request: pytest.FixtureRequest,
) -> None:
    client.force_login(request.getfixturevalue(person))
    for path in pages(faq["apply"], case):
        response = client.get(path)
        assert response.status_code == 200, path
    page = client.get("/en/desk/knowledge/").content.decode()
    assert "Hoe vraag ik een leefloon aan?" in page and "Verwarmingstoelage" in page


@pytest.mark.parametrize(
    ("person", "writes", "publishes", "decides", "configures"),
    [
        ("agent", False, False, False, False),
        ("expert", False, False, False, False),
        ("manager", False, False, False, False),
        ("coordinator", True, True, True, False),
        ("administrator", True, True, True, True),
    ],
)
def test_writing_publishing_deciding_and_the_rules_by_role(
    client: Browser,
    person: str,
    writes: bool,
    publishes: bool,
    decides: bool,
    configures: bool,
    faq: dict[str, Article],
    candidate: FaqCandidate,
    request: pytest.FixtureRequest,
) -> None:
    user = request.getfixturevalue(person)
    client.force_login(user)
    article = faq["heating"]
    # Owned by somebody else: an owner may always write their own article.
    Article.objects.filter(pk=article.pk).update(owner=None)
    expected = {True: 200, False: 403}
    assert client.get("/en/desk/knowledge/new/").status_code == expected[writes]
    assert client.get(f"/en/desk/knowledge/{article.pk}/edit/").status_code == expected[writes]
    assert client.get(f"/en/desk/knowledge/{article.pk}/fr/").status_code == expected[writes]
    archive = client.post(f"/en/desk/knowledge/{article.pk}/step/", {"step": "archive"})
    assert archive.status_code == (302 if publishes else 403)
    decide = client.post(f"/en/desk/knowledge/candidates/{candidate.pk}/", {"decision": "dismiss"})
    assert decide.status_code == (302 if decides else 403)
    assert client.get("/en/desk/knowledge/rules/").status_code == expected[configures]


def test_an_owner_without_the_editor_role_writes_their_own_article(
    client: Browser, expert: User, faq: dict[str, Article]
) -> None:
    article = faq["heating"]
    Article.objects.filter(pk=article.pk).update(owner=expert)
    client.force_login(expert)
    response = client.post(
        f"/en/desk/knowledge/{article.pk}/nl/",
        {"title": "Verwarmingstoelage", "body": "<p>Nieuwe tekst</p><script>x</script>"},
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert article.translations.get(language="nl").body == "<p>Nieuwe tekst</p>"
    # The owner may send it for review, not publish it.
    assert (
        client.post(f"/en/desk/knowledge/{article.pk}/step/", {"step": "submit"}).status_code == 302
    )
    assert (
        client.post(f"/en/desk/knowledge/{article.pk}/step/", {"step": "publish"}).status_code
        == 403
    )


def test_a_coordinator_writes_and_publishes_a_new_article_from_the_desk(
    client: Browser, coordinator: User
) -> None:
    client.force_login(coordinator)
    response = client.post(
        "/en/desk/knowledge/new/",
        {
            "slug": "travel-abroad",
            "language": "nl",
            "title": "Leefloon en reizen",
            "body": "<p>Tekst</p>",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get(slug="travel-abroad")
    assert response["Location"] == f"/en/desk/knowledge/{article.pk}/"
    client.post(f"/en/desk/knowledge/{article.pk}/step/", {"step": "publish"})
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert client.get("/nl/faq/travel-abroad/").status_code == 200


def test_bad_input_in_the_desk_gets_form_errors_not_500s(
    client: Browser, coordinator: User, faq: dict[str, Article]
) -> None:
    client.force_login(coordinator)
    taken = client.post(
        "/en/desk/knowledge/new/",
        {"slug": "heating-allowance", "language": "nl", "title": "Dubbel"},
    )
    assert taken.status_code == 400 and b"heating-allowance" in taken.content
    reserved = client.post(
        "/en/desk/knowledge/new/", {"slug": "search", "language": "nl", "title": "Zoeken"}
    )
    assert reserved.status_code == 400
    assert client.get(f"/en/desk/knowledge/{faq['apply'].pk}/xx/").status_code == 404
    step = client.post(f"/en/desk/knowledge/{faq['apply'].pk}/step/", {"step": "review"})
    assert step.status_code == 302  # the message says a date is needed
    assert client.get("/en/desk/knowledge/999999/").status_code == 404


def test_the_second_person_rule_is_explained_when_it_stops_a_publication(
    client: Browser, coordinator: User, administrator: User, faq: dict[str, Article]
) -> None:
    knowledge_policy_change(actor=administrator, second_person_publishing=True, review_months=12)
    client.force_login(coordinator)
    article = faq["heating"]
    client.post(f"/en/desk/knowledge/{article.pk}/nl/", {"title": "Nieuw", "body": "<p>Nieuw</p>"})
    page = client.post(
        f"/en/desk/knowledge/{article.pk}/step/", {"step": "publish"}, follow=True
    ).content.decode()
    assert "Publishing needs a second person" in page
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    client.force_login(administrator)
    client.post(f"/en/desk/knowledge/{article.pk}/step/", {"step": "publish"})
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


def test_the_versions_page_shows_what_changed(
    client: Browser, coordinator: User, faq: dict[str, Article]
) -> None:
    from loket.knowledge.services import article_publish, article_translation_save

    article = faq["heating"]
    article_translation_save(
        actor=coordinator,
        article=article,
        language="nl",
        title="Verwarmingstoelage van het stookoliefonds",
        body="<p>Vraag de toelage aan bij het OCMW.</p>",
    )
    article_publish(actor=coordinator, article=article)
    client.force_login(coordinator)
    fragment = client.get(
        f"/en/desk/knowledge/{article.pk}/versions/",
        {"language": "nl", "number": "2"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert fragment.strip().startswith('<section id="kb-diff"')
    assert (
        '<li class="kb-diff-added">' in fragment
        and "Vraag de toelage aan bij het OCMW." in fragment
    )
    assert '<li class="kb-diff-removed">' in fragment
    assert (
        client.get(
            f"/en/desk/knowledge/{article.pk}/versions/", {"language": "nl", "number": "9"}
        ).status_code
        == 404
    )


def test_accepting_a_candidate_opens_its_draft(
    client: Browser, coordinator: User, candidate: FaqCandidate
) -> None:
    client.force_login(coordinator)
    response = client.post(f"/en/desk/knowledge/candidates/{candidate.pk}/", {"decision": "accept"})
    candidate.refresh_from_db()
    assert candidate.status == FaqCandidate.Status.ACCEPTED and candidate.article is not None
    assert response["Location"] == f"/en/desk/knowledge/{candidate.article.pk}/"
    again = client.post(
        f"/en/desk/knowledge/candidates/{candidate.pk}/", {"decision": "dismiss"}, follow=True
    )
    assert b"decided already" in again.content
    assert client.post(f"/en/desk/knowledge/candidates/{candidate.pk}/", {}).status_code == 302


@pytest.mark.parametrize(
    ("person", "allowed"), [("agent", True), ("coordinator", True), ("manager", False)]
)
def test_flagging_a_case_is_one_action_for_those_who_work_on_it(
    client: Browser, person: str, allowed: bool, case: Case, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(person))
    url = f"/en/desk/knowledge/cases/{case.reference}/flag/"
    response = client.post(
        url,
        {"kind": "form-broken", "note": "Het formulier laadt niet"},
        headers={"HX-Request": "true"},
    )
    if not allowed:
        assert response.status_code == 403
        assert not Signal.objects.exists()
        return
    assert response.status_code == 200
    assert response.content.decode().strip().startswith('<section id="kb-flag"')
    assert Signal.objects.get(case=case).kind == "form-broken"
    assert Event.objects.filter(case=case, kind=Event.Kind.CASE_SIGNALLED).count() == 1
    assert client.post(url, {"kind": "nonsense"}).status_code == 400


def test_a_case_outside_ones_work_cannot_be_flagged(
    client: Browser, expert: User, case: Case
) -> None:
    client.force_login(expert)  # not forwarded to the expert's team: invisible
    assert client.get(f"/en/desk/knowledge/cases/{case.reference}/flag/").status_code == 404


def test_the_signals_page_counts_by_kind(client: Browser, agent: User, case: Case) -> None:
    from loket.knowledge.services import case_signal

    case_signal(actor=agent, case=case, kind="website-unclear")
    client.force_login(agent)
    page = client.get("/en/desk/knowledge/signals/").content.decode()
    assert "the website is unclear</a></th><td>1</td><td>1</td>" in page
    fragment = client.get(
        "/en/desk/knowledge/signals/", {"kind": "website-unclear"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert fragment.strip().startswith('<section id="kb-signals"') and case.reference in fragment


def test_the_desk_suggestions_for_a_case_offer_insertion(
    client: Browser, agent: User, case: Case, faq: dict[str, Article]
) -> None:
    client.force_login(agent)
    page = client.get(
        "/en/faq/suggest/", {"case": case.reference, "target": "reply-body"}
    ).content.decode()
    assert f'data-article="{faq["mediprima"].pk}"' in page
    assert 'data-insert-into="reply-body"' in page and "/en/desk/knowledge/use/" in page
    assert client.get("/en/faq/suggest/", {"case": "MI-2020-000001-97"}).status_code == 404


def test_inserting_an_article_records_the_use_once_and_answers_with_the_text(
    client: Browser, agent: User, case: Case, faq: dict[str, Article]
) -> None:
    client.force_login(agent)
    form = {"case": case.reference, "article": faq["mediprima"].pk}
    response = client.post("/en/desk/knowledge/use/", form, headers={"Accept": "application/json"})
    answer = json.loads(response.content)
    assert answer["recorded"] is True and answer["language"] == "nl"
    assert answer["text"].startswith("Wat is MediPrima?\n\nMediPrima registreert")
    redirect = client.post("/en/desk/knowledge/use/", {**form, "next": "/en/desk/"})
    assert redirect["Location"] == f"/en/desk/?faq_article={faq['mediprima'].pk}"
    offsite = client.post("/en/desk/knowledge/use/", {**form, "next": "https://evil.example/"})
    assert offsite["Location"] == f"/en/desk/cases/{case.reference}/"
    assert ArticleUse.objects.filter(case=case).count() == 1
    assert Event.objects.filter(case=case, kind=Event.Kind.CASE_ANSWERED_WITH_ARTICLE).count() == 1
    bad = client.post(
        "/en/desk/knowledge/use/", {"case": case.reference}, headers={"Accept": "application/json"}
    )
    assert bad.status_code == 400 and "article" in json.loads(bad.content)["errors"]


def test_a_manager_cannot_insert_articles_into_replies(
    client: Browser, manager: User, case: Case, faq: dict[str, Article]
) -> None:
    client.force_login(manager)
    response = client.post(
        "/en/desk/knowledge/use/", {"case": case.reference, "article": faq["apply"].pk}
    )
    assert response.status_code == 403
    assert not ArticleUse.objects.exists()


def test_the_administrator_sets_the_rules(client: Browser, administrator: User) -> None:
    client.force_login(administrator)
    response = client.post(
        "/en/desk/knowledge/rules/", {"second_person_publishing": "on", "review_months": "6"}
    )
    assert response.status_code == 302
    from loket.knowledge.services import knowledge_policy

    assert knowledge_policy().second_person_publishing is True
    assert knowledge_policy().review_months == 6
    assert client.post("/en/desk/knowledge/rules/", {"review_months": "0"}).status_code == 400


def test_the_desk_lists_take_the_same_number_of_queries_however_many_rows(
    client: Browser, coordinator: User, faq: dict[str, Article], case: Case, candidate: FaqCandidate
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from loket.knowledge.services import case_signal

    from .factories import published

    client.force_login(coordinator)
    paths = ("/en/desk/knowledge/", "/en/desk/knowledge/candidates/", "/en/desk/knowledge/signals/")

    def counted() -> list[int]:
        counts = []
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            counts.append(len(queries))
        return counts

    before = counted()
    for n in range(10):
        published(f"extra-{n}", {"nl": (f"Vraag {n}", "<p>Antwoord</p>")}, author=coordinator)
        FaqCandidate.objects.create(
            language="fr",
            title=f"Question {n}",
            size=5,
            examples=[case.reference],
            source="gap-finder",
            proposed_at=candidate.proposed_at,
            seen_at=candidate.seen_at,
            closest_article=faq["apply"],
        )
        other = case_register(
            actor=None, client=case.client, channel="web", subject=f"Vraag {n}", body="Vraag"
        )
        case_signal(actor=coordinator, case=other, kind="form-broken")
    assert counted() == before
