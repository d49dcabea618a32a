"""Fixtures of the knowledge base's tests: a small published FAQ."""

from __future__ import annotations

import pytest

from loket.accounts.models import User
from loket.knowledge.models import Article, Category
from loket.knowledge.search.engines import current_engine

from .factories import published


@pytest.fixture(autouse=True)
def _empty_search_index(request: pytest.FixtureRequest) -> None:
    """Tests on a transactional database (the live server's) are not rolled back: the search
    index's own tables, which are no Django models, are emptied here like the rest."""
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        current_engine().clear()


@pytest.fixture
def category(db: None) -> Category:
    return Category.objects.create(
        slug="integration-income",
        name_nl="Leefloon",
        name_fr="Revenu d'intégration",
        name_de="Eingliederungseinkommen",
        name_en="Integration income",
        position=1,
    )


@pytest.fixture
def faq(coordinator: User, expert: User, category: Category) -> dict[str, Article]:
    """Three published articles: one in four languages, one in nl and fr, one only in nl."""
    return {
        "apply": published(
            "integration-income-apply",
            {
                "nl": (
                    "Hoe vraag ik een leefloon aan?",
                    "<p>U vraagt het leefloon aan bij het OCMW van uw gemeente. Zie ook "
                    '<a href="article:mediprima-what">MediPrima</a>.</p>',
                ),
                "fr": (
                    "Comment demander le revenu d'intégration ?",
                    "<p>Vous demandez le revenu d'intégration au CPAS de votre commune.</p>",
                ),
                "de": (
                    "Wie beantrage ich das Eingliederungseinkommen?",
                    "<p>Beim ÖSHZ Ihrer Gemeinde.</p>",
                ),
                "en": (
                    "How do I apply for the integration income?",
                    "<p>At the welfare centre of your municipality.</p>",
                ),
            },
            author=expert,
            publisher=coordinator,
            category=category,
        ),
        "mediprima": published(
            "mediprima-what",
            {
                "nl": (
                    "Wat is MediPrima?",
                    "<p>MediPrima registreert de beslissingen over dringende medische hulp; "
                    "ziekenhuizen factureren aan de HZIV.</p>",
                ),
                "fr": (
                    "Qu'est-ce que MediPrima ?",
                    "<p>MediPrima enregistre les décisions d'aide médicale urgente ; les "
                    "hôpitaux facturent à la CAAMI.</p>",
                ),
            },
            author=expert,
            publisher=coordinator,
            category=category,
        ),
        "heating": published(
            "heating-allowance",
            {
                "nl": (
                    "Verwarmingstoelage van het stookoliefonds",
                    "<p>Vraag de verwarmingstoelage aan bij het OCMW binnen de termijn na de "
                    "levering van de stookolie.</p>",
                )
            },
            author=expert,
            publisher=coordinator,
        ),
    }
