"""Articles: writing, reviewing, publishing, archiving; the administrator's rules and the
review reminders (charter rule 10). One transaction each, each writing its Event
(``case=None``: articles concern no case).

Articles move draft -> in review -> published -> archived; editing a published article makes
it a draft again while readers keep the last published text. Publishing keeps every version
and, when the administrator asks for it, needs a second person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from loket.accounts.models import User
from loket.accounts.services import notify
from loket.cases.models import Event, Topic

from ..models import (
    Article,
    ArticleTranslation,
    ArticleVersion,
    Category,
    KnowledgePolicy,
)
from ..richtext import plain_text, sanitise
from ..search import index_article
from ..text import LANGUAGES

Status = Article.Status
# Addresses the public FAQ uses for its own pages; an article cannot take them.
RESERVED_SLUGS = frozenset({"search", "suggest", "category", "feedback", "new"})


class KnowledgeError(ValidationError):
    """A step the rules don't allow; the message is for the person who tried."""


def knowledge_policy() -> KnowledgePolicy:
    """The administrator's rules (the defaults until somebody changes them)."""
    return KnowledgePolicy.objects.filter(pk=1).first() or KnowledgePolicy(pk=1)


def _event(
    kind: str, *, actor: User | None, article: Article, now: dt.datetime, **data: object
) -> None:
    Event.objects.create(
        kind=kind,
        at=now,
        actor=actor,
        data={"article": article.pk, "slug": article.slug, **data},
    )


def _locked(article: Article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the 31st becomes the month's last day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def _clean_slug(slug: str) -> str:
    slug = slugify(slug)[:120]
    if not slug:
        raise KnowledgeError(_("An article needs an address (letters, digits and dashes)."))
    if slug in RESERVED_SLUGS:
        raise KnowledgeError(_("%(slug)s is reserved for the FAQ's own pages.") % {"slug": slug})
    return slug


# --- articles -------------------------------------------------------------------------------


def article_create(
    *,
    actor: User | None,
    slug: str,
    language: str,
    title: str,
    body: str = "",
    category: Category | None = None,
    topics: Iterable[Topic] = (),
    owner: User | None = None,
    review_by: dt.date | None = None,
) -> Article:
    """A new draft article with its first translation (charter rule 10)."""
    slug = _clean_slug(slug)
    title = " ".join(title.split())
    if not title:
        raise KnowledgeError(_("An article needs a title."))
    if language not in LANGUAGES:
        raise KnowledgeError(_("Unknown language: %(language)s") % {"language": language})
    now = timezone.now()
    with transaction.atomic():
        if Article.objects.filter(slug=slug).exists():
            raise KnowledgeError(_("Another article has the address %(slug)s.") % {"slug": slug})
        article = Article.objects.create(
            slug=slug,
            category=category,
            owner=owner or actor,
            review_by=review_by,
            created_at=now,
            updated_at=now,
        )
        article.topics.set(list(topics))
        clean = sanitise(body)
        ArticleTranslation.objects.create(
            article=article,
            language=language,
            title=title[:300],
            body=clean,
            text=plain_text(clean),
            updated_at=now,
            updated_by=actor,
        )
        _event(Event.Kind.ARTICLE_CREATED, actor=actor, article=article, now=now, language=language)
    return article


def article_update(
    *,
    actor: User,
    article: Article,
    category: Category | None,
    topics: Iterable[Topic],
    owner: User | None,
    review_by: dt.date | None,
) -> Article:
    """Change where an article is filed, who owns it and when it is next reviewed."""
    now = timezone.now()
    with transaction.atomic():
        article = _locked(article)
        changed = {
            "category": (article.category_id, category.pk if category else None),
            "owner": (article.owner_id, owner.pk if owner else None),
            "review_by": (
                article.review_by.isoformat() if article.review_by else None,
                review_by.isoformat() if review_by else None,
            ),
        }
        article.category = category
        article.owner = owner
        if review_by != article.review_by:
            article.review_by = review_by
            article.review_reminded_at = None
        article.updated_at = now
        article.save(
            update_fields=["category", "owner", "review_by", "review_reminded_at", "updated_at"]
        )
        before = set(article.topics.values_list("pk", flat=True))
        after = {t.pk for t in topics}
        article.topics.set(list(after))
        data: dict[str, object] = {n: new for n, (old, new) in changed.items() if old != new}
        if before != after:
            data["topics"] = sorted(after)
        if data:
            _event(Event.Kind.ARTICLE_CHANGED, actor=actor, article=article, now=now, **data)
    return article


def article_translation_save(
    *, actor: User, article: Article, language: str, title: str, body: str
) -> ArticleTranslation:
    """Write the text of one translation (sanitised). A published or reviewed article whose
    text changes becomes a draft again; readers keep the published text until the next
    publication."""
    if language not in LANGUAGES:
        raise KnowledgeError(_("Unknown language: %(language)s") % {"language": language})
    title = " ".join(title.split())[:300]
    if not title:
        raise KnowledgeError(_("A translation needs a title."))
    clean = sanitise(body)
    now = timezone.now()
    with transaction.atomic():
        article = _locked(article)
        if article.status == Status.ARCHIVED:
            raise KnowledgeError(_("Take the article out of the archive before changing it."))
        translation = ArticleTranslation.objects.filter(article=article, language=language).first()
        if translation is not None and (translation.title, translation.body) == (title, clean):
            return translation  # nothing changed: no new draft, no event
        if translation is None:
            translation = ArticleTranslation(article=article, language=language)
        translation.title = title
        translation.body = clean
        translation.text = plain_text(clean)
        translation.updated_at = now
        translation.updated_by = actor
        translation.save()
        previous = article.status
        article.status = Status.DRAFT
        article.updated_at = now
        article.save(update_fields=["status", "updated_at"])
        _event(
            Event.Kind.ARTICLE_CHANGED,
            actor=actor,
            article=article,
            now=now,
            language=language,
            previous_status=previous,
        )
    return translation


def article_submit(*, actor: User, article: Article) -> Article:
    """Send a draft for review: somebody else can read it before it is published."""
    now = timezone.now()
    with transaction.atomic():
        article = _locked(article)
        if article.status != Status.DRAFT:
            raise KnowledgeError(_("Only a draft can be sent for review."))
        if not article.translations.exclude(body="").exists():
            raise KnowledgeError(_("Write the text of at least one translation first."))
        article.status = Status.IN_REVIEW
        article.updated_at = now
        article.save(update_fields=["status", "updated_at"])
        _event(Event.Kind.ARTICLE_SUBMITTED, actor=actor, article=article, now=now)
    return article


def article_publish(*, actor: User, article: Article) -> Article:
    """Publish every translation whose text changed since the last publication, keeping each
    as a numbered version (charter rule 10: the FAQ on the public site is kept current).

    When the administrator asks for a second person, nobody publishes text they changed
    themselves. The article gets a review date when it has none or it has passed."""
    now = timezone.now()
    policy = knowledge_policy()
    with transaction.atomic():
        article = _locked(article)
        if article.status not in (Status.DRAFT, Status.IN_REVIEW):
            raise KnowledgeError(
                _("A %(status)s article cannot be published.")
                % {"status": article.get_status_display()}
            )
        translations = list(
            ArticleTranslation.objects.select_for_update(of=("self",))
            .filter(article=article)
            .exclude(body="")
            .select_related("live")
        )
        if not translations:
            raise KnowledgeError(_("Write the text of at least one translation first."))
        changed = [
            t
            for t in translations
            if t.live is None or (t.live.title, t.live.body) != (t.title, t.body)
        ]
        if policy.second_person_publishing and any(t.updated_by_id == actor.pk for t in changed):
            raise KnowledgeError(
                _(
                    "Publishing needs a second person: somebody other than who changed the "
                    "text must publish it."
                )
            )
        last = dict(
            ArticleVersion.objects.filter(article=article)
            .values("language")
            .annotate(last=Max("number"))
            .values_list("language", "last")
        )
        published: dict[str, int] = {}
        for translation in changed:
            number = (last.get(translation.language) or 0) + 1
            translation.live = ArticleVersion.objects.create(
                article=article,
                language=translation.language,
                number=number,
                title=translation.title,
                body=translation.body,
                text=translation.text,
                edited_by=translation.updated_by,
                published_by=actor,
                published_at=now,
            )
            translation.save(update_fields=["live"])
            published[translation.language] = number
        article.status = Status.PUBLISHED
        article.published_at = now
        article.updated_at = now
        today = timezone.localdate(now)
        if article.review_by is None or article.review_by <= today:
            article.review_by = add_months(today, policy.review_months)
            article.review_reminded_at = None
        article.save(
            update_fields=[
                "status",
                "published_at",
                "updated_at",
                "review_by",
                "review_reminded_at",
            ]
        )
        index_article(article)
        _event(
            Event.Kind.ARTICLE_PUBLISHED, actor=actor, article=article, now=now, versions=published
        )
    return article


def article_archive(*, actor: User, article: Article) -> Article:
    """Take an article off the public site and out of search; its versions stay."""
    now = timezone.now()
    with transaction.atomic():
        article = _locked(article)
        if article.status == Status.ARCHIVED:
            raise KnowledgeError(_("The article is archived already."))
        previous = article.status
        article.status = Status.ARCHIVED
        article.updated_at = now
        article.save(update_fields=["status", "updated_at"])
        index_article(article)
        _event(
            Event.Kind.ARTICLE_ARCHIVED,
            actor=actor,
            article=article,
            now=now,
            previous_status=previous,
        )
    return article


def article_restore(*, actor: User, article: Article) -> Article:
    """Bring an archived article back as a draft (it returns to the site when published)."""
    now = timezone.now()
    with transaction.atomic():
        article = _locked(article)
        if article.status != Status.ARCHIVED:
            raise KnowledgeError(_("Only an archived article can be taken out of the archive."))
        article.status = Status.DRAFT
        article.updated_at = now
        article.save(update_fields=["status", "updated_at"])
        _event(Event.Kind.ARTICLE_RESTORED, actor=actor, article=article, now=now)
    return article


def article_review_confirm(*, actor: User, article: Article, review_by: dt.date) -> Article:
    """The owner read the article again and it is still right: the next review date."""
    now = timezone.now()
    if review_by <= timezone.localdate(now):
        raise KnowledgeError(_("The next review date must be in the future."))
    with transaction.atomic():
        article = _locked(article)
        article.review_by = review_by
        article.review_reminded_at = None
        article.updated_at = now
        article.save(update_fields=["review_by", "review_reminded_at", "updated_at"])
        _event(
            Event.Kind.ARTICLE_REVIEWED,
            actor=actor,
            article=article,
            now=now,
            review_by=review_by.isoformat(),
        )
    return article


def review_reminders_send(*, now: dt.datetime | None = None, again_after_days: int = 7) -> int:
    """Remind owners of published articles whose review date has come (charter rule 10: the
    FAQ is kept current), once a week until they review them; returns the reminders sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    again = now - dt.timedelta(days=again_after_days)
    due = (
        Article.objects.filter(status=Status.PUBLISHED, review_by__lte=today, owner__isnull=False)
        .exclude(review_reminded_at__gt=again)
        .select_related("owner")
        .order_by("review_by", "pk")
    )
    sent = 0
    for article in due:
        with transaction.atomic():
            claimed = (
                Article.objects.filter(pk=article.pk)
                .exclude(review_reminded_at__gt=again)
                .update(review_reminded_at=now)
            )
            if not claimed:
                continue  # another worker reminded the owner meanwhile
            notify(
                users=[article.owner],
                kind="article-review",
                message=gettext_noop("The FAQ article %(slug)s was due for review on %(due)s."),
                params={"slug": article.slug, "due": str(article.review_by)},
            )
            _event(
                Event.Kind.ARTICLE_REVIEW_DUE,
                actor=None,
                article=article,
                now=now,
                owner=article.owner_id,
                review_by=str(article.review_by),
            )
            sent += 1
    return sent


def knowledge_policy_change(
    *, actor: User, second_person_publishing: bool, review_months: int
) -> KnowledgePolicy:
    """The administrator's rules: second-person publishing, months between reviews."""
    if not 1 <= review_months <= 60:
        raise KnowledgeError(_("Between 1 and 60 months between reviews."))
    now = timezone.now()
    with transaction.atomic():
        policy, _created = KnowledgePolicy.objects.select_for_update().get_or_create(pk=1)
        policy.second_person_publishing = second_person_publishing
        policy.review_months = review_months
        policy.changed_by = actor
        policy.changed_at = now
        policy.save()
        Event.objects.create(
            kind=Event.Kind.KNOWLEDGE_POLICY_CHANGED,
            at=now,
            actor=actor,
            data={
                "second_person_publishing": second_person_publishing,
                "review_months": review_months,
            },
        )
    return policy
