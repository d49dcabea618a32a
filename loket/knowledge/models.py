"""The knowledge base (charter rule 10): FAQ articles with a translation per language and
every published version, what readers and agents did with them, and the FAQ candidates and
signals that show what is asked and not yet covered."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from loket.accounts.models import Language


class Category(models.Model):
    """A heading of the public FAQ ("Integration income", "MediPrima"…)."""

    slug = models.SlugField(_("code"), max_length=80, unique=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_de = models.CharField(_("name (German)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("FAQ category")
        verbose_name_plural = _("FAQ categories")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name()

    def name(self, language: str | None = None) -> str:
        """The name in the given (or the active) language, falling back to Dutch."""
        language = (language or get_language() or "nl")[:2]
        return str(getattr(self, f"name_{language}", "") or self.name_nl)


class KnowledgePolicy(models.Model):
    """The administrator's rules for the knowledge base; one row (pk 1)."""

    second_person_publishing = models.BooleanField(
        _("publishing needs a second person"),
        default=False,
        help_text=_("Nobody may publish an article whose text they changed themselves."),
    )
    review_months = models.PositiveSmallIntegerField(_("months until the next review"), default=12)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("knowledge base settings")
        verbose_name_plural = _("knowledge base settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class Article(models.Model):
    """One subject of the FAQ, with a translation per language.

    Readers see the last published version of each translation for as long as the article is
    not archived; editing a published article makes it a draft again without taking it off
    the site, until the new text is published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "in-review", _("in review")
        PUBLISHED = "published", _("published")
        ARCHIVED = "archived", _("archived")

    slug = models.SlugField(_("address"), max_length=120, unique=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
    )
    topics = models.ManyToManyField(
        "cases.Topic", verbose_name=_("topics"), blank=True, related_name="articles"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_articles",
    )
    review_by = models.DateField(_("review by"), null=True, blank=True)
    review_reminded_at = models.DateTimeField(_("review reminder sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("changed"))
    # The last publication; the article is on the public site while this is set and the
    # article is not archived.
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("FAQ article")
        verbose_name_plural = _("FAQ articles")
        ordering = ["slug"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["status", "review_by"], name="article_status_review"),
            models.Index(fields=["category", "status"], name="article_category_status"),
        ]
        permissions = [
            ("write_article", "Can write FAQ articles"),
            ("publish_article", "Can publish FAQ articles"),
        ]

    def __str__(self) -> str:
        return self.slug

    @property
    def is_public(self) -> bool:
        return self.published_at is not None and self.status != self.Status.ARCHIVED


class ArticleVersion(models.Model):
    """A published text of one translation, kept for ever: who wrote it, who published it."""

    article = models.ForeignKey(
        Article, verbose_name=_("FAQ article"), on_delete=models.CASCADE, related_name="versions"
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"))
    text = models.TextField(_("plain text"))
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"))

    class Meta:
        verbose_name = _("published version")
        verbose_name_plural = _("published versions")
        ordering = ["article", "language", "-number"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["article", "language", "number"], name="article_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.language} v{self.number}"


class ArticleTranslation(models.Model):
    """The text of an article in one language as its authors are writing it (`title`,
    `body`), and the version readers see (`live`)."""

    article = models.ForeignKey(
        Article,
        verbose_name=_("FAQ article"),
        on_delete=models.CASCADE,
        related_name="translations",
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    text = models.TextField(_("plain text"), blank=True)
    updated_at = models.DateTimeField(_("changed"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    live = models.ForeignKey(
        ArticleVersion,
        verbose_name=_("published version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        ordering = ["article", "language"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["article", "language"], name="one_translation_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class Feedback(models.Model):
    """A reader's answer to "did this help?" (no login; rate-limited per address)."""

    article = models.ForeignKey(
        Article, verbose_name=_("FAQ article"), on_delete=models.CASCADE, related_name="feedback"
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    helpful = models.BooleanField(_("helped"))
    at = models.DateTimeField(_("when"), db_index=True)

    class Meta:
        verbose_name = _("reader feedback")
        verbose_name_plural = _("reader feedback")
        ordering = ["-at"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["article", "helpful"])]

    def __str__(self) -> str:
        return f"{self.article_id} {'+' if self.helpful else '-'}"


class SuggestionShown(models.Model):
    """Articles suggested on the question form during one visit. A visit that never sends
    its question is a deflection: the FAQ answered it."""

    visit = models.CharField(_("visit"), max_length=64, unique=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    query = models.CharField(_("question so far"), max_length=300)
    articles = models.JSONField(_("articles suggested"), default=list)
    shown_at = models.DateTimeField(_("suggested"), db_index=True)
    submitted_at = models.DateTimeField(_("question sent"), null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("suggestion shown")
        verbose_name_plural = _("suggestions shown")
        ordering = ["-shown_at"]

    def __str__(self) -> str:
        return self.visit


class ArticleUse(models.Model):
    """A case answered with an article: an agent inserted it into the reply."""

    article = models.ForeignKey(
        Article, verbose_name=_("FAQ article"), on_delete=models.CASCADE, related_name="uses"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="article_uses"
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("used by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    used_at = models.DateTimeField(_("used"))

    class Meta:
        verbose_name = _("article used in a reply")
        verbose_name_plural = _("articles used in replies")
        ordering = ["-used_at"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["article", "case"], name="article_used_once_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} in {self.case_id}"


class FaqCandidate(models.Model):
    """A question asked often and not covered well by any article: a group of similar cases
    found by the gap finder, or a case an agent flagged."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("accepted")
        DISMISSED = "dismissed", _("dismissed")

    class Source(models.TextChoices):
        GAP_FINDER = "gap-finder", _("similar questions")
        AGENT = "agent", _("flagged by an agent")

    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    title = models.CharField(_("typical question"), max_length=300)
    terms = models.JSONField(_("key words"), default=list)
    size = models.PositiveIntegerField(_("questions"))
    examples = models.JSONField(_("example registration numbers"), default=list)
    cases = models.ManyToManyField(
        "cases.Case", verbose_name=_("cases"), related_name="faq_candidates", blank=True
    )
    closest_article = models.ForeignKey(
        Article,
        verbose_name=_("closest article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closeness = models.FloatField(_("closeness"), default=0.0)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_at = models.DateTimeField(_("proposed"))
    seen_at = models.DateTimeField(_("last seen"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    article = models.ForeignKey(
        Article,
        verbose_name=_("article written for it"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidates",
    )

    class Meta:
        verbose_name = _("FAQ candidate")
        verbose_name_plural = _("FAQ candidates")
        ordering = ["-size", "-seen_at"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["status", "language"])]

    def __str__(self) -> str:
        return self.title


class Signal(models.Model):
    """A case an agent flagged for the knowledge base: a question that deserves an article,
    or a problem clients run into (an unclear web page, a broken form)."""

    class Kind(models.TextChoices):
        FAQ_CANDIDATE = "faq-candidate", _("deserves an FAQ article")
        WEBSITE_UNCLEAR = "website-unclear", _("the website is unclear")
        FORM_BROKEN = "form-broken", _("a form does not work")
        OTHER_PROBLEM = "other-problem", _("another problem")

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="signals"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("flagged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("flagged"), db_index=True)

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        ordering = ["-created_at"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["case", "kind"], name="signal_once_per_case_and_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.case_id}"


class SearchIndexState(models.Model):
    """Per language, a number that changes whenever the search index does, so every process
    knows when the vocabulary it keeps for typo tolerance is out of date."""

    language = models.CharField(_("language"), max_length=2, primary_key=True)
    generation = models.PositiveBigIntegerField(_("generation"), default=0)

    class Meta:
        verbose_name = _("search index state")
        verbose_name_plural = _("search index states")

    def __str__(self) -> str:
        return f"{self.language}: {self.generation}"
