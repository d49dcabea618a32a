"""Full-text search of cases (loket/cases/search.py): an FTS5 table kept in step by triggers
on SQLite, GIN indexes on PostgreSQL.

`install` is idempotent and also runs after every `migrate` (loket/desk/apps.py): SQLite drops
a table's triggers when Django rebuilds the table for a later schema change, so they are put
back, and the index rebuilt, whenever one is missing.
"""

from django.db import migrations

# The same folding as loket/cases/search.py's ACCENTED and PLAIN (the queries repeat these
# expressions to use the indexes; loket/cases/tests/test_search.py checks they do).
ACCENTED = (
    "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥ"
    "ĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſ"
)
PLAIN = (
    "AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHh"
    "IiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzs"
)

POSTGRESQL = {
    "cases_case_subject_search": "CREATE INDEX IF NOT EXISTS cases_case_subject_search "
    "ON cases_case USING gin "
    f"((to_tsvector('simple'::regconfig, translate(subject, '{ACCENTED}', '{PLAIN}'))))",
    "cases_message_body_search": "CREATE INDEX IF NOT EXISTS cases_message_body_search "
    "ON cases_message USING gin "
    f"((to_tsvector('simple'::regconfig, translate(body, '{ACCENTED}', '{PLAIN}'))))",
}
POSTGRESQL_REMOVE = [
    "DROP INDEX IF EXISTS cases_case_subject_search",
    "DROP INDEX IF EXISTS cases_message_body_search",
]

SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS cases_case_search USING fts5("
    "subject, messages, tokenize = 'unicode61 remove_diacritics 2')"
)
_ALL_MESSAGES = (
    "coalesce((SELECT group_concat(m.body, ' ') FROM cases_message m WHERE m.case_id = {id}), '')"
)
SQLITE_TRIGGERS = {
    # OR REPLACE: a row left behind (a test database emptied without its triggers) never
    # blocks a new case.
    "cases_case_search_case_insert": """
        AFTER INSERT ON cases_case BEGIN
          INSERT OR REPLACE INTO cases_case_search(rowid, subject, messages)
          VALUES (NEW.id, NEW.subject, '');
        END""",
    "cases_case_search_case_update": """
        AFTER UPDATE OF subject ON cases_case BEGIN
          UPDATE cases_case_search SET subject = NEW.subject WHERE rowid = NEW.id;
        END""",
    "cases_case_search_case_delete": """
        AFTER DELETE ON cases_case BEGIN
          DELETE FROM cases_case_search WHERE rowid = OLD.id;
        END""",
    # A new message is appended: cheap, and bulk loads stay fast.
    "cases_case_search_message_insert": """
        AFTER INSERT ON cases_message BEGIN
          UPDATE cases_case_search SET messages = messages || ' ' || NEW.body
          WHERE rowid = NEW.case_id;
        END""",
    # A changed or removed message: the case's text is put together again.
    "cases_case_search_message_update": f"""
        AFTER UPDATE OF body, case_id ON cases_message BEGIN
          UPDATE cases_case_search SET messages = {_ALL_MESSAGES.format(id="NEW.case_id")}
          WHERE rowid = NEW.case_id;
          UPDATE cases_case_search SET messages = {_ALL_MESSAGES.format(id="OLD.case_id")}
          WHERE rowid = OLD.case_id AND OLD.case_id != NEW.case_id;
        END""",
    "cases_case_search_message_delete": f"""
        AFTER DELETE ON cases_message BEGIN
          UPDATE cases_case_search SET messages = {_ALL_MESSAGES.format(id="OLD.case_id")}
          WHERE rowid = OLD.case_id;
        END""",
}
SQLITE_REBUILD = [
    "DELETE FROM cases_case_search",
    "INSERT INTO cases_case_search(rowid, subject, messages) "
    f"SELECT c.id, c.subject, {_ALL_MESSAGES.format(id='c.id')} FROM cases_case c",
]


def install(connection):
    """Create what the search needs on this connection's database, if anything is missing.
    Returns True when the SQLite index had to be (re)built."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE indexname = ANY(%s)", [list(POSTGRESQL)]
            )
            present = {row[0] for row in cursor.fetchall()}
            for name, statement in POSTGRESQL.items():
                if name not in present:
                    cursor.execute(statement)
            return False
        if connection.vendor != "sqlite":
            return False
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') "
            "AND name LIKE 'cases_case_search%'"
        )
        present = {row[0] for row in cursor.fetchall()}
        missing = [name for name in SQLITE_TRIGGERS if name not in present]
        if "cases_case_search" in present and not missing:
            return False
        cursor.execute(SQLITE_TABLE)
        for name in missing:
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {SQLITE_TRIGGERS[name]}")
        for statement in SQLITE_REBUILD:
            cursor.execute(statement)
        return True


def create_search(apps, schema_editor):
    install(schema_editor.connection)


def remove_search(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            for statement in POSTGRESQL_REMOVE:
                cursor.execute(statement)
        elif schema_editor.connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute("DROP TABLE IF EXISTS cases_case_search")


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_event_kinds_for_routing")]
    operations = [migrations.RunPython(create_search, remove_search)]
