"""Every state change of the knowledge base goes through a service and leaves its event."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from loket.accounts.models import Notification, User
from loket.cases.models import Case, Client, Event
from loket.cases.services import case_register
from loket.knowledge.models import (
    Article,
    ArticleUse,
    ArticleVersion,
    FaqCandidate,
    Feedback,
    Signal,
    SuggestionShown,
)
from loket.knowledge.services import (
    KnowledgeError,
    article_archive,
    article_create,
    article_publish,
    article_restore,
    article_review_confirm,
    article_submit,
    article_translation_save,
    article_update,
    article_use_record,
    case_signal,
    faq_candidate_accept,
    faq_candidate_dismiss,
    feedback_record,
    knowledge_policy_change,
    review_reminders_send,
    suggestion_question_sent,
    suggestion_shown_record,
)

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


def kinds(article: Article) -> list[str]:
    return list(
        Event.objects.filter(data__article=article.pk, case__isnull=True)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


@pytest.fixture
def draft(expert: User) -> Article:
    return article_create(
        actor=expert,
        slug="Leefloon en Reizen",
        language="nl",
        title="  Leefloon en   reizen ",
        body="<p onclick='x'>Mag ik op reis?</p>",
    )


@pytest.fixture
def case(client_record: Client) -> Case:
    return case_register(
        actor=None, client=client_record, channel="email", subject="Vraag", body="Over leefloon"
    )


def test_a_new_article_is_a_clean_draft_with_its_first_translation(
    draft: Article, expert: User
) -> None:
    assert draft.slug == "leefloon-en-reizen"
    assert (draft.status, draft.owner, draft.is_public) == ("draft", expert, False)
    translation = draft.translations.get()
    assert (translation.title, translation.body) == ("Leefloon en reizen", "<p>Mag ik op reis?</p>")
    assert translation.text == "Mag ik op reis?"
    assert kinds(draft) == ["article.created"]


def test_an_article_needs_a_free_address_and_a_title(draft: Article, expert: User) -> None:
    for slug, title in (
        ("leefloon-en-reizen", "Dubbel"),
        ("search", "Zoeken"),
        ("!!", "x"),
        ("ok", " "),
    ):
        with pytest.raises(KnowledgeError):
            article_create(actor=expert, slug=slug, language="nl", title=title)
    with pytest.raises(KnowledgeError):
        article_create(actor=expert, slug="ok", language="xx", title="x")


def test_the_life_of_an_article_from_draft_to_archive(
    draft: Article, expert: User, coordinator: User
) -> None:
    article_translation_save(
        actor=expert, article=draft, language="fr", title="RI et voyages", body="<p>Voyager ?</p>"
    )
    article = article_submit(actor=expert, article=draft)
    assert article.status == "in-review"
    with pytest.raises(KnowledgeError):
        article_submit(actor=expert, article=article)
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=BRUSSELS), tick=False):
        article = article_publish(actor=coordinator, article=article)
    assert article.status == "published" and article.is_public
    assert article.review_by == dt.date(2027, 3, 2)  # a year on, by default
    versions = ArticleVersion.objects.filter(article=article).order_by("language")
    assert [(v.language, v.number, v.edited_by, v.published_by) for v in versions] == [
        ("fr", 1, expert, coordinator),
        ("nl", 1, expert, coordinator),
    ]
    article = article_archive(actor=coordinator, article=article)
    assert article.status == "archived" and not article.is_public
    with pytest.raises(KnowledgeError):
        article_translation_save(actor=expert, article=article, language="nl", title="x", body="")
    article = article_restore(actor=coordinator, article=article)
    assert article.status == "draft"
    assert kinds(article) == [
        "article.created",
        "article.changed",
        "article.submitted",
        "article.published",
        "article.archived",
        "article.restored",
    ]
    published = Event.objects.get(kind="article.published", data__article=article.pk)
    assert published.actor == coordinator and published.data["versions"] == {"nl": 1, "fr": 1}


def test_editing_a_published_article_keeps_the_published_text_until_the_next_publication(
    draft: Article, expert: User, coordinator: User
) -> None:
    article = article_publish(actor=coordinator, article=draft)
    article_translation_save(
        actor=expert,
        article=article,
        language="nl",
        title="Leefloon en reizen",
        body="<p>Nieuw</p>",
    )
    article.refresh_from_db()
    translation = article.translations.get(language="nl")
    assert article.status == "draft" and article.is_public  # still on the site
    assert translation.live is not None and translation.live.body == "<p>Mag ik op reis?</p>"
    article = article_publish(actor=coordinator, article=article)
    translation.refresh_from_db()
    assert translation.live is not None and (translation.live.number, translation.live.body) == (
        2,
        "<p>Nieuw</p>",
    )
    assert ArticleVersion.objects.filter(article=article).count() == 2  # every version is kept


def test_saving_the_same_text_again_changes_nothing(draft: Article, expert: User) -> None:
    article_translation_save(
        actor=expert,
        article=draft,
        language="nl",
        title="Leefloon en reizen",
        body="<p>Mag ik op reis?</p>",
    )
    assert kinds(draft) == ["article.created"]


def test_an_article_without_text_cannot_be_reviewed_or_published(
    expert: User, coordinator: User
) -> None:
    empty = article_create(actor=expert, slug="leeg", language="nl", title="Leeg")
    with pytest.raises(KnowledgeError):
        article_submit(actor=expert, article=empty)
    with pytest.raises(KnowledgeError):
        article_publish(actor=coordinator, article=empty)


def test_publishing_needs_a_second_person_when_the_administrator_says_so(
    draft: Article, expert: User, coordinator: User, administrator: User
) -> None:
    knowledge_policy_change(actor=administrator, second_person_publishing=True, review_months=6)
    article_translation_save(
        actor=coordinator,
        article=draft,
        language="fr",
        title="RI et voyages",
        body="<p>Voyager ?</p>",
    )
    with pytest.raises(KnowledgeError, match="second person"):
        article_publish(actor=coordinator, article=draft)  # the coordinator wrote the French
    with pytest.raises(KnowledgeError, match="second person"):
        article_publish(actor=expert, article=draft)  # the expert wrote the Dutch
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=BRUSSELS), tick=False):
        article = article_publish(actor=administrator, article=draft)
    assert article.status == "published" and article.review_by == dt.date(2026, 9, 2)
    assert Event.objects.filter(kind="knowledge.policy-changed").get().data == {
        "second_person_publishing": True,
        "review_months": 6,
    }
    with pytest.raises(ValidationError):
        knowledge_policy_change(
            actor=administrator, second_person_publishing=False, review_months=0
        )


def test_filing_changes_are_recorded_with_what_changed(
    draft: Article, coordinator: User, category: object
) -> None:
    article_update(
        actor=coordinator,
        article=draft,
        category=category,  # type: ignore[arg-type]
        topics=[],
        owner=coordinator,
        review_by=dt.date(2027, 1, 1),
    )
    event = Event.objects.filter(kind="article.changed", data__article=draft.pk).get()
    assert event.data["owner"] == coordinator.pk and event.data["review_by"] == "2027-01-01"
    assert "topics" not in event.data


def test_owners_are_reminded_once_a_week_when_the_review_date_has_come(
    draft: Article, expert: User, coordinator: User
) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=BRUSSELS), tick=False):
        article = article_publish(actor=coordinator, article=draft)
        assert review_reminders_send() == 0
    with time_machine.travel(dt.datetime(2027, 3, 2, 7, 0, tzinfo=BRUSSELS), tick=False):
        assert review_reminders_send() == 1
        assert review_reminders_send() == 0  # not twice the same day
    with time_machine.travel(dt.datetime(2027, 3, 10, 7, 0, tzinfo=BRUSSELS), tick=False):
        assert review_reminders_send() == 1  # a week later, still not reviewed
        article_review_confirm(actor=expert, article=article, review_by=dt.date(2028, 3, 1))
        assert review_reminders_send() == 0
        with pytest.raises(KnowledgeError):
            article_review_confirm(actor=expert, article=article, review_by=dt.date(2027, 3, 1))
    notices = Notification.objects.filter(user=expert, kind="article-review")
    assert notices.count() == 2
    assert "leefloon-en-reizen" in notices.first().text  # type: ignore[union-attr]
    assert kinds(article)[-3:] == ["article.review-due", "article.review-due", "article.reviewed"]


def test_feedback_is_only_for_published_articles(draft: Article, coordinator: User) -> None:
    with pytest.raises(KnowledgeError):
        feedback_record(article=draft, language="nl", helpful=True)
    article = article_publish(actor=coordinator, article=draft)
    feedback_record(article=article, language="nl", helpful=False)
    assert Feedback.objects.get().helpful is False


def test_a_visit_shown_suggestions_counts_as_deflected_unless_its_question_is_sent(
    case: Case,
) -> None:
    assert (
        suggestion_shown_record(visit="v-1234567", language="nl", query="reis", articles=[]) is None
    )
    suggestion_shown_record(visit="v-1234567", language="nl", query="reis", articles=[3, 4])
    suggestion_shown_record(
        visit="v-1234567", language="nl", query="reis buitenland", articles=[4, 5]
    )
    shown = SuggestionShown.objects.get()
    assert (shown.query, shown.articles) == ("reis buitenland", [3, 4, 5])
    assert suggestion_question_sent(visit="v-1234567", case=case) is True
    assert suggestion_question_sent(visit="v-1234567", case=case) is False
    assert suggestion_question_sent(visit="never-shown", case=case) is False
    shown.refresh_from_db()
    assert shown.case == case and shown.submitted_at is not None


def test_an_article_used_in_a_reply_is_recorded_once_on_the_case(
    draft: Article, agent: User, coordinator: User, case: Case
) -> None:
    with pytest.raises(KnowledgeError):
        article_use_record(actor=agent, case=case, article=draft)  # not published
    article = article_publish(actor=coordinator, article=draft)
    first = article_use_record(actor=agent, case=case, article=article)
    again = article_use_record(actor=agent, case=case, article=article)
    assert first.pk == again.pk and ArticleUse.objects.count() == 1
    event = Event.objects.get(case=case, kind=Event.Kind.CASE_ANSWERED_WITH_ARTICLE)
    assert event.actor == agent and event.data == {
        "article": article.pk,
        "slug": "leefloon-en-reizen",
        "language": "nl",
    }


def test_flagging_a_case_as_faq_candidate_proposes_it(agent: User, case: Case) -> None:
    signal = case_signal(actor=agent, case=case, kind="faq-candidate", note=" Vaak  gevraagd ")
    assert (signal.kind, signal.note, signal.created_by) == (
        "faq-candidate",
        "Vaak gevraagd",
        agent,
    )
    case_signal(actor=agent, case=case, kind="faq-candidate")  # once per case and kind
    case_signal(actor=agent, case=case, kind="website-unclear")
    assert Signal.objects.count() == 2
    candidate = FaqCandidate.objects.get()
    assert (candidate.source, candidate.size, candidate.examples) == ("agent", 1, [case.reference])
    assert list(candidate.cases.all()) == [case]
    assert Event.objects.filter(case=case, kind=Event.Kind.CASE_SIGNALLED).count() == 2
    assert Event.objects.filter(kind=Event.Kind.FAQ_CANDIDATE_PROPOSED).count() == 1
    with pytest.raises(KnowledgeError):
        case_signal(actor=agent, case=case, kind="nonsense")


def test_accepting_a_candidate_makes_a_draft_linked_to_its_cases(
    agent: User, coordinator: User, case: Case
) -> None:
    case_signal(actor=agent, case=case, kind="faq-candidate")
    candidate = FaqCandidate.objects.get()
    article = faq_candidate_accept(actor=coordinator, candidate=candidate)
    candidate.refresh_from_db()
    assert (candidate.status, candidate.article, candidate.decided_by) == (
        "accepted",
        article,
        coordinator,
    )
    assert article.status == "draft" and article.owner == coordinator
    assert article.translations.get().title == "Vraag"
    assert list(article.candidates.get().cases.all()) == [case]
    assert case.reference not in article.translations.get().body  # never towards the public
    with pytest.raises(KnowledgeError):
        faq_candidate_dismiss(actor=coordinator, candidate=candidate)
    assert Event.objects.filter(kind="faq-candidate.accepted").get().data["article"] == article.pk


def test_a_dismissed_candidate_is_recorded_with_its_reason(
    agent: User, coordinator: User, case: Case
) -> None:
    case_signal(actor=agent, case=case, kind="faq-candidate")
    candidate = faq_candidate_dismiss(
        actor=coordinator, candidate=FaqCandidate.objects.get(), reason="Eenmalig"
    )
    assert candidate.status == "dismissed"
    assert Event.objects.get(kind="faq-candidate.dismissed").data["reason"] == "Eenmalig"
    with pytest.raises(KnowledgeError):
        faq_candidate_accept(actor=coordinator, candidate=candidate)
