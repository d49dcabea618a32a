"""The search index's own tables, per database: FTS5 tables (and their vocabularies) on
SQLite; on PostgreSQL a table of tsvectors with a GIN index, and beside it the folded
words of each document (read only to build the vocabulary for typo tolerance). Not Django
models: the engines in loket/knowledge/search/engines.py read and write them. No foreign
key to the articles: the index is derived data, rebuilt at will, and a key would stop the
test runner from emptying the article table (TRUNCATE without CASCADE)."""

from django.db import migrations

LANGUAGES = ("nl", "fr", "de", "en")

SQLITE = [
    statement
    for language in LANGUAGES
    for statement in (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_search_{language} USING fts5("
        "title, body, words, tokenize = 'unicode61 remove_diacritics 2')",
        f"CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_search_{language}_vocab "
        f"USING fts5vocab(knowledge_search_{language}, 'col')",
    )
]
SQLITE_DROP = [
    f"DROP TABLE IF EXISTS knowledge_search_{language}{suffix}"
    for language in LANGUAGES
    for suffix in ("_vocab", "")
]
POSTGRES = [
    """CREATE TABLE IF NOT EXISTS knowledge_search (
        article_id bigint NOT NULL,
        language varchar(2) NOT NULL,
        document tsvector NOT NULL,
        PRIMARY KEY (article_id, language)
    )""",
    "CREATE INDEX IF NOT EXISTS knowledge_search_document ON knowledge_search USING gin (document)",
    "CREATE INDEX IF NOT EXISTS knowledge_search_language ON knowledge_search (language)",
    # The folded words, for the vocabulary only, apart: searching reads narrow rows.
    """CREATE TABLE IF NOT EXISTS knowledge_search_words (
        article_id bigint NOT NULL,
        language varchar(2) NOT NULL,
        words tsvector NOT NULL,
        PRIMARY KEY (article_id, language)
    )""",
]
POSTGRES_DROP = [
    "DROP TABLE IF EXISTS knowledge_search",
    "DROP TABLE IF EXISTS knowledge_search_words",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
