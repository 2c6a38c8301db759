"""Decide whether a Python string is SQL.

Most strings in a code base are not SQL, and English UI text starts with the same verbs SQL
does ("Select a user from the list", "Update your profile settings"). Away from a database
call a string must earn its place: it has to start with a statement keyword and either parse
with sqlglot into a real statement that does not read like a sentence, or, when sqlglot cannot
parse it, match the skeleton of a statement (``insert into X``, ``update X set``, ...). A string
handed straight to ``execute()``/``text()``/... (``at_sink=True``) is SQL by where it goes, so
there a keyword start is enough.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from analyzer.facts import Literal

if TYPE_CHECKING:
    from analyzer.facts import StringCandidate

# Verbs that start a statement worth analysing wherever the string appears.
STATEMENT_KEYWORDS = frozenset(
    {
        "SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "DROP", "ALTER",
        "TRUNCATE", "COPY", "COMMENT", "REPLACE", "UPSERT", "GRANT", "REVOKE", "EXPLAIN",
        "REFRESH", "PREPARE",
    }
)  # fmt: skip
# Verbs accepted only at a sink: as free text they are too often plain English.
SINK_KEYWORDS = STATEMENT_KEYWORDS | frozenset(
    {
        "VALUES", "TABLE", "SET", "RESET", "SHOW", "BEGIN", "START", "COMMIT", "ROLLBACK", "END",
        "SAVEPOINT", "RELEASE", "VACUUM", "ANALYZE", "LOCK", "DO", "CALL", "DECLARE", "PREPARE",
        "EXECUTE", "DEALLOCATE", "LISTEN", "NOTIFY", "UNLISTEN", "REINDEX", "CLUSTER", "DISCARD",
        "FETCH", "MOVE", "CLOSE", "ATTACH", "DETACH",
    }
)  # fmt: skip

# English words that never name a table or column in real SQL but start noun phrases in prose.
PROSE_WORDS = frozenset(
    {"the", "your", "my", "our", "their", "his", "her", "its", "this", "that", "these", "those",
     "each", "every"}
)  # fmt: skip
# Determiners that are also plausible short names: prose when followed by a noun, which
# sqlglot reads as an alias ("from a list" -> table "a" aliased "list").
DETERMINERS = frozenset({"a", "an", "any", "some", "all", "no"})
# Words that cannot be the subject (table name) of a statement skeleton.
_NOT_SUBJECTS = PROSE_WORDS | DETERMINERS | frozenset(
    {"for", "to", "in", "on", "of", "with", "from", "by", "and", "or", "not", "is", "it", "me",
     "you", "us", "them", "him"}
)  # fmt: skip
_MAX_PARSE_CHARS = 100_000

# Whitespace, `(`, comments, and SQLite's settings before a script's statements (`pragma
# foreign_keys = on; create table ...`): a pragma statement names no table, so the statement
# after it decides what the text is. One case only, as keywords are judged ("Pragma: ..." is
# prose), and never across a quote.
_LEADING_NOISE = re.compile(
    r"(?:\s+|\(|--[^\n]*(?:\n|\Z)|/\*.*?\*/|(?:pragma|PRAGMA)\b[^;'\"]*;)*", re.DOTALL
)
# a pragma whose `;` is not written yet: what follows may still end it and start a statement
_OPEN_PRAGMA = re.compile(r"(?:pragma|PRAGMA)\b[^;'\"]*\Z")
_FIRST_WORD = re.compile(r"([A-Za-z_]+)\b")
# a first word followed right away by `.name` (a file name, a dotted path): no statement's
# keyword is (`render_template("truncate.sql")`)
_DOTTED_WORD = re.compile(r"[A-Za-z_]+\.[A-Za-z_]")

# a possibly qualified name, parts in double quotes or SQLite's / SQL Server's brackets
_N = r'(?:"[^"]+"|\[[^\]]+\]|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|\[[^\]]+\]|[\w$]+))*'
_IF_NOT_EXISTS = r"(?:if\s+not\s+exists\s+)?"
_SKELETONS: dict[str, re.Pattern[str]] = {
    key: re.compile(pattern, re.IGNORECASE | re.DOTALL)
    for key, pattern in {
        "SELECT": rf"select\s+.+?\s+from\s+(?:only\s+)?({_N}|\()",
        "WITH": rf"with\s+(?:recursive\s+)?({_N})\s*(?:\([^)]*\)\s*)?as\s+"
        r"(?:not\s+)?(?:materialized\s+)?\(",
        "INSERT": rf"insert\s+into\s+({_N})",
        "UPDATE": rf"update\s+(?:only\s+)?({_N})(?:\s+(?:as\s+)?\w+)?\s+set\s",
        "DELETE": rf"delete\s+from\s+(?:only\s+)?({_N})",
        "MERGE": rf"merge\s+into\s+({_N})",
        "CREATE": r"create\s+(?:or\s+replace\s+)?(?:(?:global|local|temp|temporary|unlogged|"
        r"materialized|unique|recursive|constraint)\s+)*"
        # a CTAS's options come between the name and AS (`ON COMMIT DROP AS SELECT`)
        rf"(?:(?:table|view)\s+{_IF_NOT_EXISTS}({_N})\s*(?:\(|as\b|partition\s+of\b|"
        r"on\s+commit\b|with\s*\(|using\s+\w+\s+as\b|tablespace\b)"
        rf"|index\b.*?\bon\s+(?:only\s+)?({_N})"
        rf"|trigger\s+{_N}\s.*?\bon\s+({_N})"
        rf"|extension\s+{_IF_NOT_EXISTS}({_N})\s*(?:;|\bwith\b|\bschema\b|\Z))",
        "DROP": r"drop\s+(?:table|view|materialized\s+view|index|sequence|schema|type|function|"
        rf"trigger|extension|policy)\s+(?:if\s+exists\s+)?({_N})\s*(?:;|,|\bcascade\b|"
        r"\brestrict\b|\bon\b|\(|\Z)",
        "ALTER": r"alter\s+(?:table|view|materialized\s+view|index|sequence|schema|type|"
        rf"function|database|role)\s+(?:if\s+exists\s+)?(?:only\s+)?({_N})\s+(?:add|drop|alter|"
        r"rename|set|owner|attach|detach|enable|disable|validate|reset|inherit|no|cluster|"
        r"replica|force|owned|restart)\b",
        "TRUNCATE": rf"truncate\s+(?:table\s+)?(?:only\s+)?({_N})\s*(?:;|,|\Z|restart\b|"
        r"continue\b|cascade\b|restrict\b)",
        "COPY": rf"copy\s+(?:({_N})\s*(?:\([^)]*\)\s*)?(?:from|to)\s+(?:stdin|stdout|program\b|"
        r"'|%|:|\$|\?|__tt_hole_)|\()",
        "COMMENT": r"comment\s+on\s+(?:table|column|view|materialized\s+view|index|schema|"
        rf"function|type|extension|sequence|constraint|trigger)\s+({_N})\s+(?:is|on)\b",
        "REPLACE": rf"replace\s+into\s+({_N})",
        "UPSERT": rf"upsert\s+into\s+({_N})",
        "GRANT": r"grant\s+(?:select|insert|update|delete|truncate|references|trigger|create|"
        r"connect|temporary|temp|execute|usage|maintain|all)\b[^;]*?\bon\b[^;]*?\bto\s+\S",
        "REVOKE": r"revoke\s+(?:grant\s+option\s+for\s+)?(?:select|insert|update|delete|"
        r"truncate|references|trigger|create|connect|temporary|temp|execute|usage|maintain|"
        r"all)\b[^;]*?\bon\b[^;]*?\bfrom\s+\S",
        "EXPLAIN": r"explain\s+(?:(?:analyze|analyse|verbose)\s+|\([^)]*\)\s*)*"
        r"(?:select|insert|update|delete|with|merge|values|execute|create)\b",
        "REFRESH": rf"refresh\s+materialized\s+view\s+(?:concurrently\s+)?({_N})",
        # PostgreSQL's `PREPARE upd (int) AS UPDATE widgets ...`, run by `EXECUTE upd (1)`
        "PREPARE": r"prepare\s+\w+\s*(?:\([^)]*\)\s*)?as\s+"
        r"(?:select|insert|update|delete|with|merge|values)\b",
    }.items()
}


#: sqlglot's parse of a text (`sqlglot.parse`'s list, None entries included), by the text it
#: read and the dialect (`is_sql_text(parsed=...)`).
Parsed = dict[tuple[str, str], list[Any]]

#: What one job may keep of its first look's parses (`sharing_parses`), in characters of SQL:
#: about 100 bytes of sqlglot tree a character, so at most about 10 MB a worker.
MAX_SHARED_CHARS = 100_000


class _SharedParses:
    """The parses one job keeps (`sharing_parses`), and how many characters of text they are."""

    __slots__ = ("chars", "parsed")

    def __init__(self) -> None:
        self.parsed: Parsed = {}
        self.chars = 0


_shared: _SharedParses | None = None


@contextmanager
def sharing_parses() -> Iterator[Parsed]:
    """Within: the verdicts of first looks (`Verdicts.verdict`) keep what sqlglot parsed, by
    the text it read and the dialect, in the dict given, for the analysis of the same texts
    (`analyze_text(parsed=...)`) to take instead of parsing them again.

    Why: a worker's first look at a file asks sqlglot about its SQL strings, then, when the
    file is read in full, the analyses made ahead (`engine.analyses_ahead`) parsed the very
    same texts again (synapse: 420 of 420 texts; its analyses ahead took 0.38-0.48 s of CPU,
    0.26-0.32 s with the parses kept). sqlglot gives the same tree for the same text and
    dialect, and a verdict only reads it, so the analysis is the same. Bounded by
    `MAX_SHARED_CHARS` (the largest file's verdict texts: 6,921 characters on synapse); only
    for the job it wraps."""
    global _shared
    shared = _SharedParses()
    _shared = shared
    try:
        yield shared.parsed
    finally:
        _shared = None


class Verdicts:
    """sqlglot's answers to `is_sql_text`'s last and dearest test, given and recorded.

    Why: a first look at one file (`analyzer.relevance.glance`) keeps the answers it was given
    (`asked`, in the order asked), so that the next look at that file, after an edit, can be
    told them (`known`) instead of asking sqlglot again: the early cutoff's look at a changed
    file then imports no sqlglot (about 50 ms of a 0.45 s rescan). An answer depends on the
    text and the dialect only: `known` must come from a look in the same dialect.
    """

    __slots__ = ("asked", "known")

    def __init__(self, known: Iterable[tuple[str, bool | None]] = ()) -> None:
        self.known: dict[str, bool | None] = dict(known)
        self.asked: dict[str, bool | None] = {}

    def verdict(self, body: str, dialect: str) -> bool | None:
        if len(body) > _MAX_PARSE_CHARS:
            return None
        if body in self.known:
            answer = self.known[body]
        else:
            shared = _shared
            if shared is not None and shared.chars + len(body) <= MAX_SHARED_CHARS:
                shared.chars += len(body)
                answer = _parse_verdict(body, dialect, shared.parsed)
            else:
                answer = _parse_verdict(body, dialect)
        self.asked[body] = answer
        return answer


def is_sql_text(
    text: str, *, at_sink: bool, dialect: str = "postgres", verdicts: Verdicts | None = None,
    parsed: Parsed | None = None,
) -> bool:
    """True when ``text`` (holes already replaced by hole markers) is a SQL statement.
    `verdicts` gives and records sqlglot's answers (see `Verdicts`). `parsed`, when given,
    receives what sqlglot parsed to answer, by the text it read and the dialect, for
    `statements.analyze_statement` to analyse without parsing it again."""
    try:
        return _is_sql(text, at_sink, dialect, verdicts, parsed)
    except Exception:  # detection must never break a scan
        return False


def statement_keyword(text: str) -> str | None:
    """The upper-cased first word after whitespace, '(' and comments, if it is a word."""
    match = _FIRST_WORD.match(_skip_noise(text))
    return match.group(1).upper() if match else None


def _first_word(text: str) -> str:
    match = _FIRST_WORD.match(_skip_noise(text))
    return match.group(1) if match else ""


def _single_case(word: str) -> bool:
    return word == word.lower() or word == word.upper()


def _skip_noise(text: str) -> str:
    match = _LEADING_NOISE.match(text)
    return text[match.end() :] if match else text


# What a data statement cannot do without ("delete rows", "update table", "Insert into the
# list" parse, but are not statements): checked wherever the string appears.
_REQUIRED_CLAUSE = {
    "UPDATE": re.compile(r"\bset\b|__tt_hole_", re.IGNORECASE),
    "DELETE": re.compile(r"\bfrom\b|\busing\b|__tt_hole_", re.IGNORECASE),
    "INSERT": re.compile(
        r"\b(?:values|select|with|default\s+values)\b|__tt_hole_|\)\s*\Z", re.IGNORECASE
    ),
    # `COPY t FROM ...` / `COPY t TO ...` (`COPY INTO t FROM ...` too): "copy tracks into
    # library directory (default)" is an option's help
    "COPY": re.compile(r"\b(?:from|to)\b|__tt_hole_", re.IGNORECASE),
    # `PREPARE upd AS UPDATE ...`: "prepare the data" is prose
    "PREPARE": re.compile(
        r"\bas\s+(?:select|insert|update|delete|with|merge|values)\b", re.IGNORECASE
    ),
    # MySQL's and SQLite's `REPLACE [INTO] t ... VALUES | VALUE | SELECT | SET | TABLE`,
    # CockroachDB's `UPSERT INTO t ... VALUES | SELECT`: the bare words are the argument of
    # `bytes.decode(errors="replace")` (122 times in the corpus; sqlglot parses the word as
    # a column), pandas' `if_exists="replace"` and Route 53's `"Action": "UPSERT"`
    "REPLACE": re.compile(
        r"\b(?:values?|select|with|set|table|default\s+values)\b|__tt_hole_|\)\s*\Z",
        re.IGNORECASE,
    ),
    "UPSERT": re.compile(
        r"\b(?:values|select|with|default\s+values)\b|__tt_hole_|\)\s*\Z", re.IGNORECASE
    ),
}


# A clause of a statement built in pieces, not a statement: `"UPDATE SET " + assignments`
# completes `INSERT ... ON CONFLICT (...) DO` (its table is the INSERT's, elsewhere).
_CLAUSE_FRAGMENT = re.compile(r"UPDATE\s+SET\b", re.IGNORECASE)


# ---- necessary conditions, for the scan's first look (`analyzer.relevance`) -------------------

#: What a value written by `repr()` into a template (`%r`, `{x!r}`) begins with, as the
#: resolver writes it: a known string quoted (`'users'`, `"it's"`), any other value a hole's
#: marker. Neither can begin a keyword, so the prefix before such a field plus this quote
#: decides whether the text can be SQL.
REPR_START = "'"

_LETTERS = re.compile(r"[A-Za-z_]+")


def starts_like_sql(text: str, *, at_sink: bool) -> bool:
    """Whether `text`, after whitespace, '(' and comments, starts as a statement of that
    position may: a sink keyword in any case at a sink, else a statement keyword in one case.
    What a piece that could begin a statement meets (`"update"`, `"SELECT "`)."""
    keyword = statement_keyword(text)
    if at_sink:
        return keyword in SINK_KEYWORDS
    return keyword in STATEMENT_KEYWORDS and _single_case(_first_word(text))


def candidate_may_be_sql(candidate: StringCandidate) -> bool:
    """Whether some filling of the candidate's holes can make it SQL (`could_be_sql` on its
    literal beginning and end, as the first look judges templates; `starts_like_sql` on a
    fixed text). When none can, the resolver finds nothing in it whatever its holes and the
    loops around it hold, so they are not followed: holes of log messages and resource ids
    (`f"prefect.block-document.{self.id}"`) read dozens of modules in prefect, and a log
    message in a loop over `self.handlers` read every handler class of synapse. The
    resolver skips such a candidate for the same reason (`CodeSqlResolver.resolve`): of
    netbox's 33,500 candidates 33,300 can never be SQL, and evaluating their holes was
    most of its resolution."""
    prefix: list[str] = []
    for part in candidate.parts:
        if not isinstance(part, Literal):
            if part.conversion is not None:
                # `%r`: the resolver writes a known string quoted and leaves anything else a
                # hole, so the text goes on with a quote or a hole's marker, never a keyword
                prefix.append(REPR_START)
            break
        prefix.append(part.text)
    else:  # a fixed text: only the loops around it are followed, if it can be SQL at all
        return starts_like_sql("".join(prefix), at_sink=candidate.sink is not None)
    last = candidate.parts[-1]
    ending = last.text if isinstance(last, Literal) else None
    return could_be_sql("".join(prefix), ending, at_sink=candidate.sink is not None)


def _start_is_open(rest: str) -> bool:
    """For a prefix after its leading noise: whether what follows it can still change where the
    text's first word is. Nothing yet; a lone `-` or `/` (the next character may make it `--`
    or `/*`); a `/*` comment not closed yet (a closed one, and a `--` one, are noise already);
    a pragma without its `;` yet.
    `"- "`, `"/api/"` or `"-'"` start with no word, whatever follows."""
    return (
        not rest or rest in ("-", "/") or rest.startswith("/*")
        or _OPEN_PRAGMA.match(rest) is not None
    )


def known_first_word(prefix: str) -> bool:
    """Whether a text beginning with `prefix` has its first word (`statement_keyword`) decided
    by `prefix` alone, whatever follows."""
    rest = _skip_noise(prefix)
    if _start_is_open(rest):
        return False  # the start (or the end of a comment) is in what follows
    word = _LETTERS.match(rest)
    return word is None or word.end() < len(rest)


def _may_start_a_keyword(prefix: str) -> bool:
    """For a `prefix` ending inside its first word (`"get_" + name + "_handler"`): whether
    what follows can complete that word into a keyword of any position. The first word is
    the prefix's letters and whatever letters follow them, so it begins with them (or there
    is none): `get_...` can never be `SELECT`."""
    rest = _skip_noise(prefix)
    if _start_is_open(rest):
        return True  # the start (or the end of a comment) is in what follows
    start = rest.upper()
    return any(keyword.startswith(start) for keyword in SINK_KEYWORDS)


def could_be_sql(prefix: str, ending: str | None, *, at_sink: bool) -> bool:
    """Whether a text of which only the beginning (`prefix`) and maybe the end (`ending`, the
    text's last literal piece) are known can pass `is_sql_text`: False only when every
    completion fails it (its first word is known and is no keyword of that position, or a
    Capitalised one away from a sink, or the text ends like a sentence away from a sink).

    The scan's pre-filter judges string templates with holes by it before anything is resolved,
    so that it never drops a file `is_sql_text` could accept once the holes are filled in."""
    if not known_first_word(prefix):
        return _may_start_a_keyword(prefix)
    rest = _skip_noise(prefix)
    word = _LETTERS.match(rest)
    if word is None or rest[word.end()].isalnum():
        return False  # `([A-Za-z_]+)\b` cannot match: statement_keyword() is None
    keyword = word.group(0).upper()
    if at_sink:
        return keyword in SINK_KEYWORDS
    if keyword not in STATEMENT_KEYWORDS or not _single_case(word.group(0)):
        return False
    if ending is not None:
        tail = ending.rstrip()
        if tail.endswith((".", "!")) or (tail.endswith("?") and tail[-2:-1].isalpha()):
            return False  # `_ends_like_a_sentence`: the text's tail is this piece's tail
    return True


def _is_sql(text: str, at_sink: bool, dialect: str, verdicts: Verdicts | None,
            parsed: Parsed | None = None) -> bool:
    keyword = statement_keyword(text)
    if keyword is None:
        return False
    if _DOTTED_WORD.match(_skip_noise(text)):
        return False  # `truncate.sql`, `update.html`: a file or dotted name, no statement
    required = _REQUIRED_CLAUSE.get(keyword)
    if required is not None and not required.search(text):
        return False  # a verb without the clause that makes it a statement: prose
    if _CLAUSE_FRAGMENT.match(_skip_noise(text)):
        return False  # `UPDATE SET a = EXCLUDED.a`: the tail of ON CONFLICT DO, no table
    if at_sink:
        return keyword in SINK_KEYWORDS
    if keyword not in STATEMENT_KEYWORDS:
        return False
    if not _single_case(_first_word(text)):
        # "Update the cache", "Select a user": written SQL keywords are all upper or all
        # lower case; away from a sink, Capitalised ones are English. (The scan's pre-filter
        # relies on this rule too.)
        return False
    if _ends_like_a_sentence(text):
        return False
    if keyword not in ("GRANT", "REVOKE"):  # sqlglot accepts "Grant access on login to users"
        body = text.strip()
        verdict = (
            verdicts.verdict(body, dialect) if verdicts is not None
            else _parse_verdict(body, dialect, parsed)
        )
        if verdict is not None:
            return verdict
    return _matches_skeleton(keyword, _skip_noise(text).strip())


def _ends_like_a_sentence(text: str) -> bool:
    """Log and UI messages end in '.', '!' or 'word?'; SQL ends in ';', ')', a name or ' ?'."""
    tail = text.rstrip()
    return tail.endswith((".", "!")) or (tail.endswith("?") and tail[-2:-1].isalpha())


def _parse_verdict(body: str, dialect: str, parsed: Parsed | None = None) -> bool | None:
    """True/False when sqlglot parses ``body`` into a real statement; None when it cannot.
    (`analyzer.sql.prose` is imported on first use: a file without a string worth parsing
    never imports sqlglot for it.)"""
    if len(body) > _MAX_PARSE_CHARS:
        return None
    from analyzer.sql.prose import parse_verdict

    return parse_verdict(body, dialect, parsed)


def _matches_skeleton(keyword: str, body: str) -> bool:
    skeleton = _SKELETONS.get(keyword)
    match = skeleton.match(body) if skeleton else None
    if match is None:
        return False
    subjects = [g for g in match.groups() if g]
    return not any(_first_part(s) in _NOT_SUBJECTS for s in subjects)


def _first_part(name: str) -> str:
    return name.split(".")[0].strip().strip('"[]').lower()
