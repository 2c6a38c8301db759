"""Extract facts from one `.sql` file: its statements and the tables each one touches."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from analyzer.facts import FileProblem
from analyzer.sql.detect import statement_keyword
from analyzer.sql.names import TableKey, normalize_identifier
from analyzer.sql.routines import defines_routine, read_routine
from analyzer.sql.runnable import POSTGRES_DIALECTS, CannotRun, cannot_run
from analyzer.sql.split import split_statements
from analyzer.sql.statements import TableRef, analyze_statement

SNIPPET_LENGTH = 160
_NAME = r'(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)'
# Where a data statement's table stands: read without parsing (a dump has 200,000 of them).
DATA_TARGET = re.compile(
    rf"\s*(?:insert\s+into|update(?:\s+only)?|delete\s+from(?:\s+only)?|copy)\s+"
    rf"({_NAME})(?:\s*\.\s*({_NAME}))?",
    re.IGNORECASE,
)
#: A named query's header (aiosql, anosql and PugSQL's `-- name: get-user^`, HugSQL's
#: `-- :name get-user :? :1`): the file is a library of queries the code loads by name, not a
#: migration.
QUERY_HEADER = re.compile(r"^[ \t]*--[ \t]*(?:name:|:name[ \t])", re.MULTILINE)
DATA_KEYWORDS = frozenset(
    {"INSERT", "UPDATE", "DELETE", "COPY", "SET", "BEGIN", "COMMIT", "ROLLBACK", "START", "END"}
)


def snippet_of(text: str, limit: int = SNIPPET_LENGTH) -> str:
    """One line of evidence: whitespace folded, cut at `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


@dataclass(frozen=True)
class SqlRefFact:
    ref: TableRef
    line: int


@dataclass(frozen=True)
class SqlStatementFact:
    line: int
    snippet: str
    statement_type: str
    parsed: bool
    error: str | None
    refs: tuple[SqlRefFact, ...]
    # Why the statement cannot run, when it cannot (`analyzer.sql.runnable`): its CREATE
    # defines nothing then.
    cannot_run: CannotRun | None = None
    # the sequences it creates (`StatementResult.sequences`)
    sequences: tuple[TableKey, ...] = ()
    # the tables its foreign keys reference (`StatementResult.references`)
    references: tuple[TableKey, ...] = ()
    # the database an earlier `\connect powerdns` (psql) or `USE powerdns` (MySQL) of the file
    # switched to: a container's init script building another service's database
    database: str | None = None


@dataclass(frozen=True)
class SqlRoutineFact:
    """A function or procedure the file defines (`analyzer.sql.routines`): what code calling
    it reads and writes."""

    name: str
    schema: str | None  # as the definition writes it (`store.add_package`), else None
    line: int
    refs: tuple[SqlRefFact, ...]


@dataclass
class SqlFileFacts:
    path: str
    statements: list[SqlStatementFact] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    # named queries (`QUERY_HEADER`): application SQL, its statements uses, not migrations
    queries: bool = False
    routines: list[SqlRoutineFact] = field(default_factory=list)
    dialect: str = "postgres"  # the dialect it was read in (`engine_files.dialect_of`)


#: psql's `\connect name` / `\c name` meta-command (a line of its own), and MySQL's `USE name`.
PSQL_CONNECT = re.compile(r"^[ \t]*\\c(?:onnect)?[ \t]+(\"?)([\w$-]+)\1", re.MULTILINE)
USE_DATABASE = re.compile(r"\s*USE\s+([`\"]?)([\w$-]+)\1\s*;?\s*\Z", re.IGNORECASE)
#: Jinja's statements (`{% if data.name %}`) and expressions (`{{ conn|qtIdent(x) }}`):
#: not PostgreSQL's array literals (`'{{1,2},{3,4}}'`), whose braces hold values.
JINJA_MARKUP = re.compile(
    r"\{%-?\s*(?:if|for|set|macro|import|from|include|block|extends|raw|call|filter|with)\b"
    r"|\{\{-?\s*[A-Za-z_][\w.]*\s*(?:\||\}\}|\(|\[)"
)


class LineIndex:
    """Maps character offsets of a text to 1-based line numbers."""

    def __init__(self, text: str) -> None:
        self._starts = [0]
        self._starts.extend(i + 1 for i, char in enumerate(text) if char == "\n")

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)


def decode_sql(path: str, source: bytes) -> tuple[str | None, list[FileProblem]]:
    """Decode a SQL file; binary content is refused, other bad bytes are replaced and reported."""
    if b"\x00" in source:
        return None, [FileProblem("binary-file", None, "file contains NUL bytes; not read as SQL")]
    try:
        return source.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = source[: exc.start].count(b"\n") + 1
        problem = FileProblem(
            "sql-decode-error",
            line,
            f"not valid UTF-8 ({exc.reason} at byte {exc.start}); bad bytes were replaced "
            "and the rest of the file was analysed",
        )
        return source.decode("utf-8", errors="replace"), [problem]


def extract_sql_file(
    path: str,
    source: bytes,
    *,
    dialect: str = "postgres",
    default_schema: str = "public",
    analyze_data: bool = False,
) -> SqlFileFacts:
    facts = SqlFileFacts(path=path, dialect=dialect)
    text, problems = decode_sql(path, source)
    facts.problems.extend(problems)
    if text is None:
        return facts
    template = JINJA_MARKUP.search(text)
    if template is not None:
        facts.problems.append(FileProblem(
            "sql-template", text.count("\n", 0, template.start()) + 1,
            "a Jinja template (`{{ ... }}`, `{% ... %}`): code renders it at run time with "
            "values tabletrace cannot know, so it is not read as a schema source",
        ))
        return facts
    if QUERY_HEADER.search(text) is not None:
        facts.queries = True
        analyze_data = True  # its INSERTs and UPDATEs are the application's writes
    statements, split_problems = split_statements(text)
    facts.problems.extend(FileProblem(p.code, p.line, p.message) for p in split_problems)
    lines = LineIndex(text)
    uses = {
        statement.line: used.group(2)
        for statement in statements if (used := USE_DATABASE.match(statement.text)) is not None
    }
    switches = sorted([
        *((text.count("\n", 0, match.start()) + 1, match.group(2))
          for match in PSQL_CONNECT.finditer(text)),
        *uses.items(),
    ])
    database: str | None = None  # the last switch before the statement (statements in order)
    passed = 0
    for statement in statements:
        while passed < len(switches) and switches[passed][0] < statement.line:
            database = switches[passed][1]
            passed += 1
        statement_database = (
            normalize_identifier(database, quoted=False)
            if database is not None and statement.line not in uses
            else None
        )
        keyword = statement_keyword(statement.text)
        if keyword in DATA_KEYWORDS and not analyze_data:
            # A .sql file is a migration source: only its DDL defines tables. Its data
            # (INSERT rows of a 200,000-statement dump...) is never parsed; the table each
            # statement writes is read off its start (a migration needs it to exist).
            target = _data_target(statement.text, keyword, default_schema)
            refs = (SqlRefFact(target, statement.line),) if target is not None else ()
            facts.statements.append(
                SqlStatementFact(
                    statement.line, snippet_of(statement.text), keyword.lower(), True, None, refs,
                    database=statement_database,
                )
            )
            continue
        result = analyze_statement(
            statement.text, dialect=dialect, default_schema=default_schema
        )
        if dialect in POSTGRES_DIALECTS and defines_routine(statement.text):
            routine = read_routine(statement.text, default_schema)
            if routine is not None and routine.unread is not None:
                facts.problems.append(FileProblem(
                    "routine-unread", statement.line,
                    f"function {routine.name}(): PostgreSQL's parser does not read its body "
                    f"({routine.unread}); the tables it uses are unknown, and code calling it "
                    "uses none of them",
                ))
            elif routine is not None:
                facts.routines.append(
                    SqlRoutineFact(
                        routine.name, routine.schema, statement.line,
                        tuple(SqlRefFact(ref, statement.line + line) for ref, line in routine.refs),
                    )
                )
        refs = tuple(
            SqlRefFact(
                ref=ref,
                line=(
                    lines.line_of(statement.offset + ref.offset)
                    if ref.offset is not None
                    else statement.line
                ),
            )
            for ref in result.refs
        )
        facts.statements.append(
            SqlStatementFact(
                line=statement.line,
                snippet=snippet_of(statement.text),
                statement_type=result.statement_type,
                parsed=result.parsed,
                error=result.error,
                refs=refs,
                cannot_run=cannot_run(statement.text, result, dialect),
                sequences=result.sequences,
                references=result.references,
                database=statement_database,
            )
        )
    return facts


def _part(text: str) -> str:
    if text.startswith('"'):
        return normalize_identifier(text[1:-1].replace('""', '"'), True)
    return normalize_identifier(text, False)


def _data_target(text: str, keyword: str, default_schema: str) -> TableRef | None:
    """The table an INSERT / UPDATE / DELETE / COPY statement writes, from its first words."""
    match = DATA_TARGET.match(text)
    if match is None:
        return None
    first, second = match.group(1), match.group(2)
    schema, name = (_part(first), _part(second)) if second else (default_schema, _part(first))
    operation = "copy" if keyword == "COPY" else keyword.lower()
    return TableRef(schema, name, "write", operation)
