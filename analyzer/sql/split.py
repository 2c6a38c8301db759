"""Split SQL scripts (pg_dump output, migrations, multi-statement strings) into statements.

This is a hand-written scanner rather than sqlglot's tokenizer on purpose: sqlglot knows
nothing of psql meta-commands (``\\connect``, ``\\restrict``, ``\\i``) or of the data block
that follows ``COPY ... FROM stdin``, where a row such as ``DROP TABLE users;`` is data and
must never become a statement. The scanner only has to know where comments, strings, quoted
identifiers and dollar quotes begin and end; it jumps between those characters with compiled
regexes, so it stays linear in the size of the input (a large dump splits in about a second).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Statement:
    """One statement: text without the trailing ';' and without leading comments."""

    text: str
    line: int
    offset: int


@dataclass(frozen=True)
class SplitProblem:
    """Something the scanner had to guess about; ``code`` is stable, ``message`` is for humans."""

    code: str
    line: int
    message: str


# Characters that can change the scanner's state inside a statement.
_INTERESTING = re.compile(r"--|/\*|[;'\"$\\]")
_BLANK = re.compile(r"(?:\s+|--[^\n]*)+")
_BLOCK_COMMENT_TOKEN = re.compile(r"/\*|\*/")
_E_STRING_STOP = re.compile(r"[\\']")
# A dollar-quote tag follows identifier rules without '$'; "$1" is a parameter, not a quote.
_DOLLAR_OPEN = re.compile(r"\$(?:[^\W\d]\w*)?\$")
_IDENTIFIER_CHAR = re.compile(r"[\w$]")
_COPY_FROM_STDIN = re.compile(r"COPY\b.*\bFROM\s+STDIN\b", re.IGNORECASE | re.DOTALL)
_COPY_DATA_END = re.compile(r"^\\\.\r?$", re.MULTILINE)
# psql meta-commands that send the query buffer, i.e. end a statement like ';' does.
_SEND_BUFFER = re.compile(r"\\(?:g[a-z]*|watch|crosstabview)(?![A-Za-z])")
_META_COMMAND = re.compile(r"\\([A-Za-z_]*)[ \t]*(.*)")
_INCLUDE_COMMANDS = frozenset({"i", "ir", "include", "include_relative"})
_PSQL_COPY_FROM_STDIN = re.compile(r"\bFROM\s+STDIN\b", re.IGNORECASE)
#: A statement defining a function or procedure, from its first word (`analyzer.sql.routines`
#: reads such statements; the splitter keeps their `BEGIN ATOMIC` bodies whole)
DEFINES_ROUTINE = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE)\b", re.IGNORECASE
)
_BEGIN_ATOMIC = re.compile(r"\bBEGIN\s+ATOMIC\b", re.IGNORECASE)
_BLOCK_WORD = re.compile(r"\b(?:BEGIN|CASE|END)\b", re.IGNORECASE)


def split_statements(text: str) -> tuple[list[Statement], list[SplitProblem]]:
    """Split ``text`` into statements, skipping psql meta-commands and COPY data blocks."""
    splitter = _Splitter(text)
    splitter.run()
    return splitter.statements, splitter.problems


class _Splitter:
    """Single forward pass; ``start`` is the offset of the open statement, if any."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.size = len(text)
        self.statements: list[Statement] = []
        self.problems: list[SplitProblem] = []
        self.start: int | None = None
        self.start_line = 1
        self._line_offset = 0
        self._line_number = 1

    def run(self) -> None:
        pos = 0
        while pos < self.size:
            pos = self._between(pos) if self.start is None else self._inside(pos)
        if self.start is not None:
            self._emit(self.size)

    # -- positions -------------------------------------------------------------------------

    def line_at(self, offset: int) -> int:
        """1-based line of ``offset``; incremental, so a whole scan counts each newline once."""
        if offset >= self._line_offset:
            self._line_number += self.text.count("\n", self._line_offset, offset)
        else:
            self._line_number -= self.text.count("\n", offset, self._line_offset)
        self._line_offset = offset
        return self._line_number

    def _end_of_line(self, pos: int) -> int:
        newline = self.text.find("\n", pos)
        return self.size if newline < 0 else newline

    def _next_line(self, pos: int) -> int:
        return min(self._end_of_line(pos) + 1, self.size)

    # -- between statements ----------------------------------------------------------------

    def _between(self, pos: int) -> int:
        """Skip blanks and comments; handle meta-commands and empty statements."""
        blank = _BLANK.match(self.text, pos)
        if blank:
            return blank.end()
        if self.text.startswith("/*", pos):
            end = self._block_comment_end(pos)
            return self._unterminated_comment(pos) if end is None else end
        char = self.text[pos]
        if char == ";":
            return pos + 1
        if char == "\\":
            return self._meta_command(pos)
        self.start = pos
        self.start_line = self.line_at(pos)
        return pos

    def _meta_command(self, pos: int) -> int:
        """Skip a psql meta-command line; report includes, honour ``\\copy ... from stdin``."""
        end = self._end_of_line(pos)
        match = _META_COMMAND.match(self.text[pos:end].rstrip())
        name, argument = (match.group(1), match.group(2)) if match else ("", "")
        if name in _INCLUDE_COMMANDS:
            target = argument.strip() or "(no file named)"
            self._problem(
                "psql-include",
                pos,
                f"psql \\{name} {target}: the included file is not followed, "
                "so its statements are not analysed",
            )
        elif name == "copy" and _PSQL_COPY_FROM_STDIN.search(argument):
            return self._copy_data(end)
        return self._next_line(pos)

    # -- inside a statement ----------------------------------------------------------------

    def _inside(self, pos: int) -> int:
        match = _INTERESTING.search(self.text, pos)
        if match is None:
            return self.size
        token, at = match.group(), match.start()
        if token == ";":
            if self._inside_atomic_body(at):
                return at + 1
            return self._terminate(at, at + 1)
        if token == "--":
            return self._next_line(at)
        if token == "/*":
            end = self._block_comment_end(at)
            return self._unterminated_comment(at) if end is None else end
        if token == "'":
            return self._string(at)
        if token == '"':
            return self._quoted_identifier(at)
        if token == "$":
            return self._dollar(at)
        return self._backslash(at)

    def _inside_atomic_body(self, at: int) -> bool:
        """Whether `;` at `at` is inside the `BEGIN ATOMIC ... END` body of a function or
        procedure (SQL-standard bodies, PostgreSQL 14): its statements end with `;` too. As
        psql does, BEGIN and CASE open a level, END closes one."""
        assert self.start is not None
        if not DEFINES_ROUTINE.match(self.text, self.start):
            return False
        text = self.text[self.start : at]
        if _BEGIN_ATOMIC.search(text) is None:
            return False
        words = [word.upper() for word in _BLOCK_WORD.findall(text)]
        return words.count("BEGIN") + words.count("CASE") > words.count("END")

    def _string(self, at: int) -> int:
        if self._is_escape_string(at):
            end = self._escape_string_end(at + 1)
        else:
            end = self._doubled_quote_end(at + 1, "'")
        if end is None:
            return self._unterminated("unterminated-string", at, "string literal")
        return end

    def _quoted_identifier(self, at: int) -> int:
        end = self._doubled_quote_end(at + 1, '"')
        if end is None:
            return self._unterminated("unterminated-string", at, "quoted identifier")
        return end

    def _dollar(self, at: int) -> int:
        if at > 0 and _IDENTIFIER_CHAR.match(self.text, at - 1):
            return at + 1  # '$' inside an identifier such as a$b
        match = _DOLLAR_OPEN.match(self.text, at)
        if match is None:
            return at + 1  # a $1 parameter
        tag = match.group()
        close = self.text.find(tag, match.end())
        if close < 0:
            return self._unterminated("unterminated-dollar-quote", at, f"dollar quote {tag}")
        return close + len(tag)

    def _backslash(self, at: int) -> int:
        """``\\g`` and friends send the buffer like ';'; other backslashes are plain text."""
        if _SEND_BUFFER.match(self.text, at):
            return self._terminate(at, self._next_line(at))
        return at + 1

    # -- lexical helpers -------------------------------------------------------------------

    def _is_escape_string(self, quote: int) -> bool:
        if quote == 0 or self.text[quote - 1] not in "eE":
            return False
        return quote < 2 or not _IDENTIFIER_CHAR.match(self.text, quote - 2)

    def _doubled_quote_end(self, pos: int, quote: str) -> int | None:
        """End of a quoted run where the quote character is escaped by doubling it."""
        while True:
            close = self.text.find(quote, pos)
            if close < 0:
                return None
            if self.text.startswith(quote, close + 1):
                pos = close + 2
                continue
            return close + 1

    def _escape_string_end(self, pos: int) -> int | None:
        """End of an ``E'...'`` string, where a backslash escapes the next character."""
        while True:
            match = _E_STRING_STOP.search(self.text, pos)
            if match is None:
                return None
            at = match.start()
            if match.group() == "\\" or self.text.startswith("'", at + 1):
                pos = at + 2  # an escaped character or a doubled quote
            else:
                return at + 1

    def _block_comment_end(self, at: int) -> int | None:
        """End of a block comment; PostgreSQL block comments nest."""
        depth, pos = 1, at + 2
        while depth:
            match = _BLOCK_COMMENT_TOKEN.search(self.text, pos)
            if match is None:
                return None
            depth += 1 if match.group() == "/*" else -1
            pos = match.end()
        return pos

    # -- results ---------------------------------------------------------------------------

    def _terminate(self, end: int, resume: int) -> int:
        """Close the open statement at ``end`` and continue at ``resume``."""
        text = self._emit(end)
        if _COPY_FROM_STDIN.match(text):
            return self._copy_data(resume)
        return resume

    def _copy_data(self, pos: int) -> int:
        """Skip the data block that starts on the line after ``pos`` and ends at ``\\.``."""
        data_start = self._next_line(pos) if pos < self.size else self.size
        match = _COPY_DATA_END.search(self.text, data_start)
        if match:
            return match.end()
        self._problem(
            "unterminated-copy-data",
            data_start,
            "COPY ... FROM stdin data block has no terminating '\\.' line; "
            "everything after it is treated as data, not statements",
        )
        return self.size

    def _emit(self, end: int) -> str:
        """Record the open statement as ending at ``end``; return its text."""
        if self.start is None:
            return ""
        text = self.text[self.start : end].rstrip()
        if text:
            self.statements.append(Statement(text, self.start_line, self.start))
        self.start = None
        return text

    def _unterminated(self, code: str, at: int, what: str) -> int:
        self._problem(
            code,
            at,
            f"{what} is never closed; the rest of the input is kept as one final statement",
        )
        self._emit(self.size)
        return self.size

    def _unterminated_comment(self, at: int) -> int:
        if self.start is not None:
            return self._unterminated("unterminated-comment", at, "block comment")
        self._problem(
            "unterminated-comment",
            at,
            "block comment is never closed; the rest of the input is ignored",
        )
        return self.size

    def _problem(self, code: str, at: int, message: str) -> None:
        self.problems.append(SplitProblem(code, self.line_at(at), message))
