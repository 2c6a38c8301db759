"""Run a build plan in a scratch PostgreSQL database and record PostgreSQL's verdict per step.

The scratch database is created for the run (`tabletrace_scratch_<pid>_<random>`) and dropped
afterwards whatever happens: an error, Ctrl-C (SIGINT), SIGTERM or SIGHUP. Only SIGKILL (or
the machine going down) can leave it behind; its name and comment say it is safe to drop.
When the role may not create databases, the build runs instead inside one transaction of the
target database, each statement under a savepoint, and the transaction is rolled back at the
end: nothing can stay behind even on SIGKILL, but statements that cannot run inside a
transaction (CREATE INDEX CONCURRENTLY, VACUUM...) are then skipped.

The target database must hold no tables unless `force_scratch`: `verify` is meant for a
development server, and refusing a database in use protects a production URL given by
mistake. Statements that would act outside the scratch database (CREATE DATABASE, roles,
tablespaces, ALTER SYSTEM, COPY to or from server files or programs) are never run; neither
are ownership and privilege statements (as `pg_restore --no-owner --no-privileges`), whose
roles exist only on the real servers.

The project's Python is never run: only the SQL of the plan.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, Literal

from analyzer.database import DatabaseError, psycopg_module
from analyzer.database.catalog import LiveCatalog, read_postgres_catalog
from analyzer.database.plan import BuildPlan, BuildStep
from analyzer.database.url import DatabaseUrl

DEFAULT_STATEMENT_TIMEOUT = 30.0
SCRATCH_PREFIX = "tabletrace_scratch_"
ScratchMode = Literal["auto", "database", "transaction"]
StepStatus = Literal["applied", "rejected", "skipped", "aborted"]

HELD_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
INSUFFICIENT_PRIVILEGE = "42501"
IN_FAILED_TRANSACTION = "25P02"
ACTIVE_TRANSACTION = "25001"

_COMMENTS = re.compile(r"\A(?:\s+|--[^\n]*\n?|/\*.*?\*/)*", re.DOTALL)
_OUTSIDE_SCRATCH = [
    (re.compile(r"(CREATE|ALTER|DROP)\s+DATABASE\b", re.I), "creates or changes a database"),
    (
        re.compile(r"(CREATE|ALTER|DROP)\s+(ROLE|USER|GROUP)\b", re.I),
        "creates or changes a role",
    ),
    (re.compile(r"(CREATE|ALTER|DROP)\s+TABLESPACE\b", re.I), "changes a tablespace"),
    (re.compile(r"ALTER\s+SYSTEM\b", re.I), "changes the server's configuration"),
    (re.compile(r"(CREATE|ALTER|DROP)\s+SUBSCRIPTION\b", re.I), "connects to another server"),
    (re.compile(r"(LOAD|CHECKPOINT)\b", re.I), "acts on the server"),
    (re.compile(r"(SET\s+(SESSION\s+)?ROLE|SET\s+SESSION\s+AUTHORIZATION)\b", re.I),
     "switches role"),
    (re.compile(r"(REASSIGN|DROP)\s+OWNED\b", re.I), "changes ownership across the server"),
]
_COPY_SERVER_SIDE = re.compile(r"COPY\b.*\b(FROM|TO)\s+(PROGRAM\b|')", re.I | re.DOTALL)
_PRIVILEGES = re.compile(
    r"(GRANT|REVOKE|ALTER\s+DEFAULT\s+PRIVILEGES)\b|\bALTER\b.*\bOWNER\s+TO\b|"
    r"\bSECURITY\s+LABEL\b",
    re.I | re.DOTALL,
)
_TRANSACTION_CONTROL = re.compile(
    r"(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|ABORT|SAVEPOINT|RELEASE|PREPARE\s+"
    r"TRANSACTION)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class StepOutcome:
    """PostgreSQL's verdict on one step. `error_line` is the file line PostgreSQL pointed at."""

    step: BuildStep
    status: StepStatus
    sqlstate: str | None = None
    message: str | None = None
    detail: str | None = None
    error_line: int | None = None


@dataclass(slots=True)
class BuildResult:
    """Everything `verify` learned: each step's verdict and what the build left standing."""

    url: str
    scratch: Literal["database", "transaction"]
    scratch_name: str
    server_version: str | None
    outcomes: list[StepOutcome] = field(default_factory=list)
    built: LiveCatalog | None = None
    plan: BuildPlan = field(default_factory=BuildPlan)

    def count(self, status: StepStatus) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)


def _leading_keywords(sql: str) -> str:
    return sql[_COMMENTS.match(sql).end() :]  # type: ignore[union-attr]


def skip_reason(sql: str) -> str | None:
    """Why a statement is never run in a scratch database, or None to run it."""
    text = _leading_keywords(sql)
    for pattern, reason in _OUTSIDE_SCRATCH:
        if pattern.match(text):
            return f"not run: {reason} outside the scratch database"
    if _COPY_SERVER_SIDE.match(text):
        return "not run: COPY reads or writes files or programs on the server"
    if _PRIVILEGES.match(text) or re.match(r"ALTER\b[^;]*\bOWNER\s+TO\b", text, re.I | re.S):
        return "not run: ownership and privileges name roles of the real servers"
    return None


def is_transaction_control(sql: str) -> bool:
    return bool(_TRANSACTION_CONTROL.match(_leading_keywords(sql)))


class Interrupted(KeyboardInterrupt):
    """SIGINT, SIGTERM or SIGHUP during a build: unwinds so the scratch is dropped."""


# Signals received during the build. The driver may turn the exception a signal raises
# inside a running query into that query's "canceled" error (57014); the build loops look
# here after every failed statement, so an interruption is never taken for a failure.
_RECEIVED: list[str] = []


def _check_interrupted() -> None:
    if _RECEIVED:
        raise Interrupted(_RECEIVED[-1])


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """Turn SIGINT, SIGTERM and SIGHUP into an exception for the duration, and remember it."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        _RECEIVED.append(signal.Signals(signum).name)
        raise Interrupted(signal.Signals(signum).name)

    _RECEIVED.clear()
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
            previous[signum] = signal.signal(signum, interrupt)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT/SIGTERM/SIGHUP while cleaning up; they are delivered right after."""
    held = HELD_SIGNALS
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


def _connect(conninfo: str, url: DatabaseUrl, timeout: float, autocommit: bool) -> Any:
    psycopg = psycopg_module()
    try:
        return psycopg.connect(
            conninfo,
            autocommit=autocommit,
            connect_timeout=10,
            options=f"-c statement_timeout={int(timeout * 1000)} -c client_min_messages=error",
            application_name="tabletrace verify",
        )
    except psycopg.Error as exc:
        raise DatabaseError(f"cannot connect to {url.display}: {url.scrub(str(exc))}") from None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def refuse_unless_empty(catalog: LiveCatalog, url: DatabaseUrl, force_scratch: bool) -> None:
    """A development database is empty; one that holds tables may be in use: refuse it."""
    if not catalog.tables or force_scratch:
        return
    names = sorted(table.display for table in catalog.tables.values())
    shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    raise DatabaseError(
        f"{url.display} already holds {len(names)} table(s) ({shown}); verify wants an empty "
        "development database (it builds in a scratch database it creates and drops), so it "
        "refuses one that may be in use. Point --dev-url at an empty database, or pass "
        "--force-scratch"
    )


def run_build(
    plan: BuildPlan,
    url: DatabaseUrl,
    *,
    force_scratch: bool = False,
    mode: ScratchMode = "auto",
    statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT,
    announce: Any = None,
) -> BuildResult:
    """Apply `plan` in a scratch database (or a rolled-back transaction) on the `url` server.

    `announce(text)`, when given, is told the scratch database's name before anything runs.
    """
    if url.kind != "postgresql":
        raise DatabaseError(f"verify needs a PostgreSQL server; {url.display} is not one")
    psycopg = psycopg_module()
    with _signals_interrupt():
        admin = _connect(url.conninfo, url, statement_timeout, autocommit=True)
        try:
            try:
                refuse_unless_empty(read_postgres_catalog(admin, url.display), url, force_scratch)
                version = admin.execute("SHOW server_version").fetchone()[0]
            except psycopg.Error as exc:
                raise DatabaseError(
                    f"cannot read the catalogue of {url.display}: {url.scrub(str(exc))}"
                ) from None
            name = f"{SCRATCH_PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
            scratch: Literal["database", "transaction"] = (
                "transaction" if mode == "transaction" else "database"
            )
            if scratch == "database":
                # Signals wait until the scratch database either exists inside the try/finally
                # that drops it, or does not exist at all.
                with _signals_held():
                    try:
                        admin.execute(f"CREATE DATABASE {_quote(name)}")
                    except psycopg.Error as exc:
                        if mode == "auto" and exc.sqlstate == INSUFFICIENT_PRIVILEGE:
                            scratch = "transaction"
                        else:
                            raise DatabaseError(
                                f"cannot create a scratch database on {url.display}: "
                                f"{url.scrub(str(exc))}"
                            ) from None
                    if scratch == "database":
                        return _build_then_drop(
                            plan, url, admin, name, version, statement_timeout, announce
                        )
            result = BuildResult(
                url=url.display, scratch="transaction", scratch_name="(rolled-back transaction)",
                server_version=version, plan=plan,
            )
            if announce:
                announce(f"building inside a transaction of {url.display} (rolled back)")
            _build_in_transaction(plan, url, statement_timeout, result)
            return result
        finally:
            admin.close()


def _build_then_drop(
    plan: BuildPlan, url: DatabaseUrl, admin: Any, name: str, version: str | None,
    timeout: float, announce: Any,
) -> BuildResult:
    """Build in the scratch database `name`, which exists; drop it whatever happens.

    Called with signals held; they are released inside the try, so an interruption from here
    on unwinds through the `finally` that drops the database.
    """
    psycopg = psycopg_module()
    result = BuildResult(
        url=url.display, scratch="database", scratch_name=name, server_version=version, plan=plan
    )
    try:
        with contextlib.suppress(AttributeError, ValueError, OSError):
            signal.pthread_sigmask(signal.SIG_UNBLOCK, HELD_SIGNALS)
        admin.execute(
            f"COMMENT ON DATABASE {_quote(name)} IS "
            "'tabletrace verify scratch database: safe to drop'"
        )
        if announce:
            announce(f"building in scratch database {name} on {url.display}")
        conninfo = psycopg.conninfo.make_conninfo(url.conninfo, dbname=name)
        _build_in_database(plan, conninfo, url, timeout, result)
    finally:
        with _signals_held():
            _drop_scratch(admin, name, url)
    return result


def build_into(
    plan: BuildPlan, url: DatabaseUrl, *, statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT
) -> BuildResult:
    """Apply `plan` to the database at `url` itself and keep the result (no scratch, no drop).

    For demonstrations and tests that need a database built from a repository's sources
    (scripts/sample_production.py); `verify` never uses it. The same safety rules apply:
    statements acting outside the database are skipped.
    """
    psycopg = psycopg_module()
    with _connect(url.conninfo, url, statement_timeout, autocommit=True) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
    result = BuildResult(
        url=url.display, scratch="database", scratch_name=url.display,
        server_version=version, plan=plan,
    )
    try:
        _build_in_database(plan, url.conninfo, url, statement_timeout, result)
    except psycopg.Error as exc:
        raise DatabaseError(f"building in {url.display} failed: {url.scrub(str(exc))}") from None
    return result


def _drop_scratch(admin: Any, name: str, url: DatabaseUrl) -> None:
    psycopg = psycopg_module()
    try:
        admin.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")
    except psycopg.Error:
        try:  # PostgreSQL < 13 has no WITH (FORCE); our own sessions are closed by now
            admin.execute(f"DROP DATABASE IF EXISTS {_quote(name)}")
        except psycopg.Error as exc:
            raise DatabaseError(
                f"could not drop the scratch database {name} on {url.display}: "
                f"{url.scrub(str(exc))}; drop it by hand"
            ) from None


def _outcome(step: BuildStep, exc: Any, url: DatabaseUrl) -> StepOutcome:
    diag = exc.diag
    message = diag.message_primary or str(exc).strip().splitlines()[0]
    extra = [text for text in (diag.message_detail, diag.message_hint) if text]
    error_line = None
    position = diag.statement_position
    if position and str(position).isdigit():
        error_line = step.line + step.sql[: int(position) - 1].count("\n")
    status: StepStatus = "aborted" if exc.sqlstate == IN_FAILED_TRANSACTION else "rejected"
    return StepOutcome(
        step=step,
        status=status,
        sqlstate=exc.sqlstate,
        message=url.scrub(message),
        detail=url.scrub(" ".join(extra)) if extra else None,
        error_line=error_line,
    )


def _execute(conn: Any, step: BuildStep) -> None:
    with conn.cursor() as cursor:
        if step.copy_data is not None:
            with cursor.copy(step.sql) as copy:
                copy.write(step.copy_data)
        else:
            cursor.execute(step.sql, prepare=False)


def _build_in_database(
    plan: BuildPlan, conninfo: str, url: DatabaseUrl, timeout: float, result: BuildResult
) -> None:
    """Each session (one per file, as `psql -f`) gets a fresh connection to the scratch."""
    psycopg = psycopg_module()
    conn = None
    session = None
    try:
        for step in plan.steps:
            if conn is None or step.session != session:
                if conn is not None:
                    _end_session(conn)
                conn = _connect(conninfo, url, timeout, autocommit=True)
                session = step.session
            reason = skip_reason(step.sql)
            if reason:
                result.outcomes.append(StepOutcome(step, "skipped", message=reason))
                continue
            try:
                _execute(conn, step)
            except psycopg.Error as exc:
                _check_interrupted()
                if exc.sqlstate is None or conn.closed:
                    raise DatabaseError(
                        f"lost the connection to {url.display} while running {step.location}: "
                        f"{url.scrub(str(exc))}"
                    ) from None
                result.outcomes.append(_outcome(step, exc, url))
                continue
            result.outcomes.append(StepOutcome(step, "applied"))
        if conn is not None:
            _end_session(conn)
            conn.close()
        with _connect(conninfo, url, timeout, autocommit=True) as reader:
            result.built = read_postgres_catalog(reader, url.display)
    finally:
        if conn is not None:
            conn.close()


def _end_session(conn: Any) -> None:
    """A file that leaves a transaction open ends like psql's session: rolled back."""
    psycopg = psycopg_module()
    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        with contextlib.suppress(psycopg.Error):
            conn.execute("ROLLBACK")
    conn.close()


def _build_in_transaction(
    plan: BuildPlan, url: DatabaseUrl, timeout: float, result: BuildResult
) -> None:
    psycopg = psycopg_module()
    conn = _connect(url.conninfo, url, timeout, autocommit=False)
    with conn, conn.transaction(force_rollback=True):
        session = None
        for step in plan.steps:
            if step.session != session:
                conn.execute("RESET ALL")
                session = step.session
            reason = skip_reason(step.sql)
            if reason is None and is_transaction_control(step.sql):
                reason = "not run: transaction control inside verify's own transaction"
            if reason:
                result.outcomes.append(StepOutcome(step, "skipped", message=reason))
                continue
            try:
                with conn.transaction():
                    _execute(conn, step)
            except psycopg.Error as exc:
                _check_interrupted()
                if exc.sqlstate is None or conn.closed:
                    raise DatabaseError(
                        f"lost the connection to {url.display} while running "
                        f"{step.location}: {url.scrub(str(exc))}"
                    ) from None
                if exc.sqlstate == ACTIVE_TRANSACTION:
                    result.outcomes.append(
                        StepOutcome(
                            step, "skipped",
                            message="not run: cannot run inside a transaction block (the "
                            "role may not create a scratch database)",
                        )
                    )
                    continue
                result.outcomes.append(_outcome(step, exc, url))
                continue
            result.outcomes.append(StepOutcome(step, "applied"))
        result.built = read_postgres_catalog(conn, url.display)
