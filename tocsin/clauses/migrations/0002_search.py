"""The clause library's search index: an FTS5 table on SQLite, a tsvector column under a GIN
index on PostgreSQL (tocsin/clauses/search.py writes and reads both; decision 0030)."""

from django.db import migrations

SCHEMA = {
    "sqlite": (
        [
            "CREATE VIRTUAL TABLE clauses_search USING fts5(en, es, raw, tokenize = 'unicode61')",
            "CREATE TRIGGER clauses_clause_unindex AFTER DELETE ON clauses_clause BEGIN "
            "DELETE FROM clauses_search WHERE rowid = old.id; END",
        ],
        ["DROP TRIGGER IF EXISTS clauses_clause_unindex", "DROP TABLE IF EXISTS clauses_search"],
    ),
    "postgresql": (
        [
            "ALTER TABLE clauses_clause ADD COLUMN search_vector tsvector",
            "CREATE INDEX clauses_clause_search ON clauses_clause USING GIN (search_vector)",
        ],
        [
            "DROP INDEX IF EXISTS clauses_clause_search",
            "ALTER TABLE clauses_clause DROP COLUMN IF EXISTS search_vector",
        ],
    ),
}


def run(statements_of):
    def operation(apps, schema_editor):
        statements = SCHEMA.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError("the clause library searches only SQLite and PostgreSQL")
        for statement in statements_of(statements):
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("clauses", "0001_clauses")]

    operations = [
        migrations.RunPython(run(lambda pair: pair[0]), run(lambda pair: pair[1])),
    ]
