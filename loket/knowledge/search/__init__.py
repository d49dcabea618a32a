"""Finding FAQ articles: one interface, two engines (DESIGN.md, "Search").

``search_articles(query, language, limit)`` returns the published articles that best answer a
question, best first, in that language. The engine follows the database: SQLite FTS5 (the
embedded default) or PostgreSQL full-text search (at scale). Both stem per language with
Snowball, ignore accents, rank by relevance with a boost for words in the title, and forgive
typos: a query word the index has never seen is widened to the closest words it has.

``index_article`` keeps the index in step with what is published; the article services call
it inside their transactions.
"""

from .core import Hit, search_articles
from .index import index_article, index_rebuild

__all__ = ["Hit", "index_article", "index_rebuild", "search_articles"]
