"""Articles for tests, made through the services as the desk would make them."""

from __future__ import annotations

from loket.accounts.models import User
from loket.knowledge.models import Article, Category
from loket.knowledge.services import article_create, article_publish, article_translation_save


def published(
    slug: str,
    texts: dict[str, tuple[str, str]],
    *,
    author: User | None = None,
    publisher: User | None = None,
    category: Category | None = None,
) -> Article:
    """An article published with a (title, HTML body) per language."""
    (first, (title, body)), *others = texts.items()
    article = article_create(
        actor=author, slug=slug, language=first, title=title, body=body, category=category
    )
    for language, (title, body) in others:
        article_translation_save(
            actor=author,  # type: ignore[arg-type]
            article=article,
            language=language,
            title=title,
            body=body,
        )
    return article_publish(actor=publisher or author, article=article)  # type: ignore[arg-type]
