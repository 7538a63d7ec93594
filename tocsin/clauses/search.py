"""Full-text search of the clause library: SQLite FTS5 on the embedded default, PostgreSQL full
text at scale, and the same results on both (decision 0030).

The two engines tokenize, fold accents and stem differently, so neither is left to do it:
Python turns a clause into words (lower case, accents folded: "órdenes" is "ordenes"), stems
them with the Snowball algorithms (English and Spanish, the ones PostgreSQL's own 'english'
and 'spanish' configurations use), and hands each engine the same three columns of plain
words: the English stems (A), the Spanish stems (B) and the words as written (C, which
carries Somali and any exact word). FTS5 indexes them with its plain `unicode61` tokenizer,
PostgreSQL with the 'simple' configuration into a tsvector under a GIN index; a query is
turned into the same words and asks both the same question. Each term of a query must match
in one column: its English stem, its Spanish stem or the word itself; a "quoted phrase"
must match as consecutive words in one column. Anything else a person types (operators,
stray quotes, punctuation) is only a separator, so no query can be a syntax error.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import snowballstemmer
from django.db import NotSupportedError, connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from .models import Clause

MAX_QUERY = 200
MAX_TERMS = 12
MAX_WORD = 60
WORD = re.compile(r"[a-z0-9]+")
# The columns of the index, with PostgreSQL's weight for each.
COLUMNS = (("en", "A"), ("es", "B"), ("raw", "C"))


@cache
def _stemmer(language: str):
    return snowballstemmer.stemmer(language)


def words(text: str) -> list[str]:
    """Return the words of `text`: lower case, accents folded, letters and digits only."""
    folded = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(char for char in folded if not unicodedata.combining(char))
    return [word[:MAX_WORD] for word in WORD.findall(plain)]


def stems(found: list[str], column: str) -> list[str]:
    """Return the words as the column holds them: stemmed in its language, or as written."""
    if column == "en":
        return _stemmer("english").stemWords(found)
    if column == "es":
        return _stemmer("spanish").stemWords(found)
    return list(found)


def document(clause: Clause) -> dict[str, str]:
    """Return what the index holds for a clause, by column."""
    title_and_tags = f"{clause.title} {clause.tags}"
    sources = {
        "en": f"{title_and_tags} {clause.text_en}",
        "es": f"{title_and_tags} {clause.text_es}",
        "raw": f"{title_and_tags} {clause.text_en} {clause.text_es} {clause.text_so}",
    }
    return {column: " ".join(stems(words(text), column)) for column, text in sources.items()}


@dataclass(frozen=True)
class Term:
    """One word, or a phrase of consecutive words, that a matching clause must hold."""

    words: tuple[str, ...]

    def in_column(self, column: str) -> list[str]:
        return stems(list(self.words), column)


def parse(query: str) -> list[Term]:
    """Return the terms of a query: "quoted phrases" and single words, at most MAX_TERMS.

    An unclosed quote runs to the end of the query; any other character only separates words.
    """
    terms: list[Term] = []
    for index, part in enumerate(query[:MAX_QUERY].split('"')):
        found = words(part)
        if index % 2 == 1 and len(found) > 1:
            terms.append(Term(tuple(found)))
        else:
            terms.extend(Term((word,)) for word in found)
    unique = list(dict.fromkeys(terms))
    return unique[:MAX_TERMS]


def fts5_query(terms: Iterable[Term]) -> str:
    """Return an FTS5 MATCH expression: every term, each in any column."""
    clauses = []
    for term in terms:
        options = [
            f'{column} : "{" ".join(term.in_column(column))}"' for column, _weight in COLUMNS
        ]
        clauses.append("(" + " OR ".join(options) + ")")
    return " AND ".join(clauses)


def tsquery(terms: Iterable[Term]) -> str:
    """Return a tsquery for to_tsquery('simple', …): every term, each in any column (weight)."""
    clauses = []
    for term in terms:
        options = [
            "(" + " <-> ".join(f"'{stem}':{weight}" for stem in term.in_column(column)) + ")"
            for column, weight in COLUMNS
        ]
        clauses.append("(" + " | ".join(options) + ")")
    return " & ".join(clauses)


def matching(queryset: QuerySet[Clause], query: str) -> QuerySet[Clause]:
    """Return the clauses of `queryset` that match `query`; none when it holds no word.

    The query reaches the database only as a bound parameter, built from words of letters
    and digits (parse), so it can never break out of its MATCH or to_tsquery."""
    terms = parse(query)
    if not terms:
        return queryset.none()
    if connection.vendor == "sqlite":
        found = RawSQL(
            "SELECT rowid FROM clauses_search WHERE clauses_search MATCH %s", [fts5_query(terms)]
        )
    elif connection.vendor == "postgresql":
        found = RawSQL(
            "SELECT id FROM clauses_clause WHERE search_vector @@ to_tsquery('simple', %s)",
            [tsquery(terms)],
        )
    else:
        raise NotSupportedError(f"no clause search on {connection.vendor}")
    return queryset.filter(id__in=found)


POSTGRESQL_INDEX = (
    "UPDATE clauses_clause SET search_vector = setweight(to_tsvector('simple', %s), 'A') "
    "|| setweight(to_tsvector('simple', %s), 'B') || setweight(to_tsvector('simple', %s), 'C') "
    "WHERE id = %s"
)


def index(clause: Clause) -> None:
    """Write the clause's words into the index (call inside the transaction that saves it)."""
    columns = document(clause)
    words_by_column = [columns[column] for column, _weight in COLUMNS]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM clauses_search WHERE rowid = %s", [clause.pk])
            cursor.execute(
                "INSERT INTO clauses_search (rowid, en, es, raw) VALUES (%s, %s, %s, %s)",
                [clause.pk, *words_by_column],
            )
        elif connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_INDEX, [*words_by_column, clause.pk])
        else:
            raise NotSupportedError(f"no clause search on {connection.vendor}")
