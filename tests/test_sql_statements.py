"""Tests for statement analysis: which tables a statement reads, writes or changes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.database.url import DatabaseUrl, parse_database_url
from analyzer.sql import statements
from analyzer.sql.names import TableKey, from_parts, normalize_identifier
from analyzer.sql.statements import (
    HOLE_PREFIX,
    StatementResult,
    TableRef,
    analyze_statement,
    hole_marker,
    normalize_placeholders,
)
from tests.pg import MakeDatabase, make_database, pg_server

__all__ = ["make_database", "pg_server"]  # fixtures used by name below


def refs(sql: str, **kwargs: str) -> list[tuple[str, str, str, str]]:
    """(kind, operation, schema, name) of each ref; the statement must have parsed."""
    result = analyze_statement(sql, **kwargs)
    assert result.parsed, result.error
    assert result.error is None
    return [(r.kind, r.operation, r.schema, r.name) for r in result.refs]


def only(sql: str) -> TableRef:
    result = analyze_statement(sql)
    assert len(result.refs) == 1, result
    return result.refs[0]


# -- names -------------------------------------------------------------------------------------


def test_normalize_identifier() -> None:
    assert normalize_identifier("Users", quoted=False) == "users"
    assert normalize_identifier("Users", quoted=True) == "Users"
    # PostgreSQL folds ASCII letters only.
    assert normalize_identifier("ÄRGER", quoted=False) == "Ärger"


def test_table_key_display_and_parts() -> None:
    assert TableKey("public", "users").display == "public.users"
    assert TableKey("public", "Accounts").display == 'public."Accounts"'
    assert TableKey("my schema", 'a"b').display == '"my schema"."a""b"'
    assert TableKey.from_parts(None, "users", "public") == TableKey("public", "users")
    assert from_parts("sales", "orders", "public") == TableKey("sales", "orders")
    assert sorted([TableKey("b", "a"), TableKey("a", "z")]) == [
        TableKey("a", "z"),
        TableKey("b", "a"),
    ]


def test_hole_marker() -> None:
    assert hole_marker(3) == "__tt_hole_3__"
    assert hole_marker(0).startswith(HOLE_PREFIX)


# -- reads -------------------------------------------------------------------------------------


def test_select_with_join_and_subquery() -> None:
    sql = (
        "SELECT * FROM users u JOIN public.orders o ON o.uid = u.id "
        "WHERE u.id IN (SELECT uid FROM bans)"
    )
    result = analyze_statement(sql)
    assert result == StatementResult(
        (
            TableRef("public", "users", "read", "select", offset=14),
            TableRef("public", "orders", "read", "select", offset=34),
            TableRef("public", "bans", "read", "select", offset=90),
        ),
        parsed=True,
        statement_type="select",
    )


def test_set_operations() -> None:
    assert refs("SELECT a FROM x UNION SELECT b FROM y EXCEPT SELECT c FROM z") == [
        ("read", "select", "public", "x"),
        ("read", "select", "public", "y"),
        ("read", "select", "public", "z"),
    ]
    assert analyze_statement("SELECT a FROM x UNION SELECT b FROM y").statement_type == "union"


def test_ctes_are_not_tables() -> None:
    sql = (
        "WITH recent AS (SELECT * FROM orders), r2 AS (SELECT * FROM recent) "
        "SELECT * FROM r2 JOIN recent ON true"
    )
    assert refs(sql) == [("read", "select", "public", "orders")]


def test_recursive_cte_is_not_a_table() -> None:
    sql = (
        "WITH RECURSIVE tree(id) AS (SELECT id FROM nodes WHERE parent IS NULL "
        "UNION ALL SELECT n.id FROM nodes n JOIN tree t ON n.parent = t.id) SELECT * FROM tree"
    )
    assert refs(sql) == [
        ("read", "select", "public", "nodes"),
        ("read", "select", "public", "nodes"),
    ]


def test_cte_referenced_inside_a_subquery() -> None:
    sql = "WITH c AS (SELECT * FROM base) SELECT * FROM t WHERE id IN (SELECT id FROM c)"
    assert refs(sql) == [("read", "select", "public", "base"), ("read", "select", "public", "t")]


def test_cte_defined_inside_a_subquery() -> None:
    sql = "SELECT * FROM (SELECT * FROM a) x WHERE EXISTS (WITH c AS (SELECT 1) SELECT * FROM c, b)"
    assert refs(sql) == [("read", "select", "public", "a"), ("read", "select", "public", "b")]


def test_cte_shadowing_a_table_reads_the_table_inside_its_body() -> None:
    assert refs("WITH users AS (SELECT * FROM users) SELECT * FROM users") == [
        ("read", "select", "public", "users")
    ]


def test_cte_names_fold_like_identifiers() -> None:
    assert refs("WITH Recent AS (SELECT * FROM t) SELECT * FROM recent") == [
        ("read", "select", "public", "t")
    ]
    # A quoted CTE name does not match the unquoted (folded) reference.
    assert refs('WITH "Recent" AS (SELECT 1) SELECT * FROM recent') == [
        ("read", "select", "public", "recent")
    ]


def test_table_functions_are_not_tables() -> None:
    sql = (
        "SELECT * FROM generate_series(1, 10) g, unnest(ARRAY[1]) u, "
        "jsonb_to_recordset('[]') AS x(a int), events e"
    )
    assert refs(sql) == [("read", "select", "public", "events")]


def test_table_free_selects() -> None:
    assert refs("SELECT nextval('seq')") == []
    assert refs("SELECT pg_catalog.set_config('search_path', '', false)") == []
    assert refs("SELECT 1") == []


def test_lateral_subquery() -> None:
    sql = "SELECT * FROM t1 t LEFT JOIN LATERAL (SELECT * FROM t2 WHERE t2.a = t.a) s ON true"
    assert refs(sql) == [("read", "select", "public", "t1"), ("read", "select", "public", "t2")]


def test_self_join_gives_one_ref_per_occurrence() -> None:
    result = analyze_statement("SELECT * FROM t a JOIN t b ON a.x = b.y")
    assert [(r.name, r.offset) for r in result.refs] == [("t", 14), ("t", 23)]


# -- names and placeholders ------------------------------------------------------------------


def test_quoted_names_keep_case_and_unquoted_fold() -> None:
    assert refs('SELECT * FROM "Accounts" JOIN Accounts ON true JOIN "Sales"."Q1" ON true') == [
        ("read", "select", "public", "Accounts"),
        ("read", "select", "public", "accounts"),
        ("read", "select", "Sales", "Q1"),
    ]


def test_default_schema_and_catalog() -> None:
    assert refs("SELECT * FROM users JOIN public.users ON true JOIN db.s.t ON true") == [
        ("read", "select", "public", "users"),
        ("read", "select", "public", "users"),
        ("read", "select", "s", "t"),
    ]
    assert refs("SELECT * FROM users", default_schema="app") == [("read", "select", "app", "users")]


def test_offset_of_qualified_and_quoted_names() -> None:
    result = analyze_statement('SELECT * FROM s."T" JOIN s.u ON true')
    assert [r.offset for r in result.refs] == [16, 27]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM t WHERE a = %s AND b = %(name)s",
        "SELECT * FROM t WHERE a = $1 AND b = $2",
        "SELECT * FROM t WHERE a = :name AND b = :other::int",
        "SELECT * FROM t WHERE a = ? AND b = ?",
        "SELECT * FROM t WHERE a = :1 AND b = :2",
        "SELECT a %% 2 FROM t WHERE b LIKE 'x%%'",
        "SELECT * FROM t WHERE a = __tt_hole_0__ ORDER BY __tt_hole_1__",
        "SELECT * FROM t WHERE a = %s::int LIMIT %s",
        "SELECT * FROM t WHERE a = ANY(%s) AND b IN %s",
    ],
)
def test_placeholders_do_not_break_parsing(sql: str) -> None:
    assert refs(sql) == [("read", "select", "public", "t")]


def test_normalize_placeholders_only_touches_what_sqlglot_needs() -> None:
    assert normalize_placeholders("SELECT a %% 2, ':1' FROM t WHERE x = :1") == (
        "SELECT a %  2, ':1' FROM t WHERE x = $1"
    )
    assert normalize_placeholders("SELECT a::int, %s, :name") == "SELECT a::int, %s, :name"
    # a parameter named like a clause keyword would end the statement for sqlglot
    assert normalize_placeholders("INSERT INTO t (a) VALUES (:values)") == (
        "INSERT INTO t (a) VALUES (:_alues)"
    )
    assert refs("INSERT INTO t (a) VALUES (:values)") == [("write", "insert", "public", "t")]


_FORMAT_PARAMETERS = [
    ("SELECT a FROM t WHERE b = %s", ("read", "select")),
    ("SELECT a % 2 FROM t WHERE b = %(name)s AND c LIKE '5%%'", ("read", "select")),
    ("UPDATE t SET a = %(user)s WHERE b IN (%s, %s)", ("write", "update")),
    ("INSERT INTO t (a) VALUES (%s) ON DUPLICATE KEY UPDATE a = %s", ("write", "insert")),
    ("REPLACE INTO t (a, b) VALUES (%s, %s)", ("write", "insert")),
]


@pytest.mark.parametrize(
    ("sql", "use", "dialect"),
    [
        (sql, use, dialect)
        for dialect in ("mysql", "sqlite", "tsql")
        for sql, use in _FORMAT_PARAMETERS
        if not (dialect == "tsql" and "DUPLICATE" in sql)  # MySQL's clause
    ],
)
def test_format_parameters_parse_in_dialects_that_read_percent_as_modulo(
    sql: str, use: tuple[str, str], dialect: str
) -> None:
    """MySQLdb, PyMySQL and mysql-connector take `%s` and `%(name)s`; sqlglot's mysql,
    sqlite and tsql dialects read `%` as modulo and failed on every such query."""
    assert refs(sql, dialect=dialect) == [(*use, "public", "t")]


def test_format_parameters_become_question_marks_of_the_same_length() -> None:
    sql = "SELECT a % 2, '%s' FROM t WHERE b = %s AND c = %(name)s AND d LIKE '5%%'"
    assert normalize_placeholders(sql, "mysql") == (
        "SELECT a % 2, '%s' FROM t WHERE b = ?  AND c = ?        AND d LIKE '5%%'"
    )
    assert normalize_placeholders(sql, "postgres") == sql  # postgres reads them as they are


def test_insert_values_placeholder() -> None:
    assert refs("INSERT INTO t (a, b) VALUES %s ON CONFLICT (a) DO NOTHING") == [
        ("write", "insert", "public", "t")
    ]


def test_hole_in_table_name_is_dynamic() -> None:
    assert only("SELECT * FROM __tt_hole_0__ WHERE a = __tt_hole_1__") == TableRef(
        "public", "__tt_hole_0__", "read", "select", offset=14, holes=(0,)
    )
    assert only("SELECT * FROM logs___tt_hole_1__").holes == (1,)
    assert only("SELECT * FROM logs___tt_hole_1__").name == "logs___tt_hole_1__"
    assert only("INSERT INTO __tt_hole_0__ (a) VALUES (%s)") == TableRef(
        "public", "__tt_hole_0__", "write", "insert", offset=12, holes=(0,)
    )
    schema_hole = only("SELECT * FROM __tt_hole_2__.events_{}".replace("{}", "__tt_hole_3__"))
    assert (schema_hole.schema, schema_hole.holes) == ("__tt_hole_2__", (2, 3))


def test_hole_as_alias_or_value_is_not_dynamic() -> None:
    assert only("SELECT * FROM t __tt_hole_0__").holes == ()


# -- writes ------------------------------------------------------------------------------------


def test_insert_select_on_conflict() -> None:
    sql = "INSERT INTO s.t AS x (a) SELECT b FROM u ON CONFLICT (a) DO UPDATE SET a = EXCLUDED.a"
    assert refs(sql) == [("write", "insert", "s", "t"), ("read", "select", "public", "u")]
    assert analyze_statement(sql).statement_type == "insert"


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        ("REPLACE INTO t (a, b) VALUES (1, 2)", "mysql"),
        ("replace into t SET a = 1", "mysql"),
        ("REPLACE INTO t (a) VALUES (1)", "sqlite"),
        ("  UPSERT INTO t (a) VALUES (1)", "postgres"),
    ],
)
def test_replace_and_upsert_into_are_inserts(sql: str, dialect: str) -> None:
    """sqlglot keeps MySQL's REPLACE as an opaque Command and rejects CockroachDB's UPSERT:
    read as the INSERTs they are, with the table at its own offset."""
    result = analyze_statement(sql, dialect=dialect)
    assert (result.parsed, result.statement_type, result.error) == (True, "insert", None)
    assert [(r.kind, r.operation, r.name, r.offset, r.confidence) for r in result.refs] == [
        ("write", "insert", "t", sql.index(" t ") + 1, "high"),
    ]


def test_replace_into_select_reads_its_source() -> None:
    assert refs("REPLACE INTO t (a) SELECT b FROM u", dialect="mysql") == [
        ("write", "insert", "public", "t"),
        ("read", "select", "public", "u"),
    ]


def test_replace_as_a_function_is_not_rewritten() -> None:
    assert refs("SELECT replace(a, 'x', 'y') FROM t") == [("read", "select", "public", "t")]


def test_update_from_and_subquery() -> None:
    sql = "UPDATE t SET a = u.a FROM u WHERE t.id = u.id AND u.x IN (SELECT x FROM v)"
    assert refs(sql) == [
        ("write", "update", "public", "t"),
        ("read", "select", "public", "u"),
        ("read", "select", "public", "v"),
    ]


def test_delete_using() -> None:
    assert refs("DELETE FROM t USING u WHERE t.id = u.id") == [
        ("write", "delete", "public", "t"),
        ("read", "select", "public", "u"),
    ]


def test_merge() -> None:
    sql = (
        "MERGE INTO t USING (SELECT * FROM s) src ON t.id = src.id "
        "WHEN MATCHED THEN UPDATE SET a = src.a WHEN NOT MATCHED THEN INSERT (id) VALUES (src.id)"
    )
    assert refs(sql) == [("write", "merge", "public", "t"), ("read", "select", "public", "s")]
    assert refs("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE") == [
        ("write", "merge", "public", "t"),
        ("read", "select", "public", "s"),
    ]


def test_truncate() -> None:
    assert refs("TRUNCATE TABLE ONLY a, s.b RESTART IDENTITY") == [
        ("write", "truncate", "public", "a"),
        ("write", "truncate", "s", "b"),
    ]


def test_copy_directions() -> None:
    assert refs("COPY public.t (a, b) FROM stdin") == [("write", "copy", "public", "t")]
    assert refs("COPY t TO '/tmp/t.csv' WITH (FORMAT csv)") == [("read", "select", "public", "t")]
    assert refs("COPY (SELECT * FROM t JOIN u ON true) TO stdout") == [
        ("read", "select", "public", "t"),
        ("read", "select", "public", "u"),
    ]


def test_writable_cte() -> None:
    sql = "WITH d AS (DELETE FROM t RETURNING *) INSERT INTO archive SELECT * FROM d"
    assert refs(sql) == [
        ("write", "delete", "public", "t"),
        ("write", "insert", "public", "archive"),
    ]


def test_select_into_creates_a_table() -> None:
    assert refs("SELECT * INTO newt FROM t") == [
        ("ddl", "create", "public", "newt"),
        ("read", "select", "public", "t"),
    ]


def test_select_into_a_trigger_rows_field_creates_nothing() -> None:
    """In a PL/pgSQL trigger function's body (django-pgtrigger's `func=`), `SELECT ... INTO
    new.search_vector` assigns a field of the row being written (`NEW`, `OLD`): no table
    `new.search_vector` is created, nor read (bookwyrm had one, dead and runtime-created)."""
    assert refs(
        "SELECT to_tsvector('english', new.title) || (SELECT to_tsvector(b.name) "
        "FROM bookwyrm_author AS b WHERE b.id = new.author_id) INTO new.search_vector"
    ) == [("read", "select", "public", "bookwyrm_author")]
    assert refs("SELECT x INTO OLD.y FROM t") == [("read", "select", "public", "t")]
    assert refs("SELECT * INTO archive.newt FROM t") == [
        ("ddl", "create", "archive", "newt"),
        ("read", "select", "public", "t"),
    ]


# -- DDL ---------------------------------------------------------------------------------------


def test_create_table_columns_and_flags() -> None:
    sql = (
        'CREATE TABLE IF NOT EXISTS "S".Accounts (id int PRIMARY KEY, "Name" text NOT NULL, '
        "CONSTRAINT pk PRIMARY KEY (id), UNIQUE (id), FOREIGN KEY (id) REFERENCES other (x))"
    )
    assert analyze_statement(sql) == StatementResult(
        (
            TableRef(
                "S",
                "accounts",
                "ddl",
                "create",
                columns=("id", "Name"),
                offset=31,
                if_not_exists=True,
            ),
        ),
        parsed=True,
        statement_type="create",
        references=(TableKey("public", "other"),),
    )


def test_the_foreign_keys_of_a_text_of_several_statements_are_all_kept() -> None:
    """A text holding several statements, analysed whole, names every piece's foreign-key
    targets, as each piece analysed alone does (the scan splits a script before analysing
    it; a caller handing the whole text must not lose them)."""
    sql = (
        "CREATE TABLE folder (id int PRIMARY KEY);\n"
        "CREATE TABLE note (id int, folder_id int REFERENCES folder (id), "
        "author_id int REFERENCES app.authors (id))"
    )
    result = analyze_statement(sql)
    assert [(r.name, r.operation) for r in result.refs] == [
        ("folder", "create"), ("note", "create")
    ]
    assert result.references == (TableKey("public", "folder"), TableKey("app", "authors"))


def test_a_sqlite_column_without_a_type_is_a_column() -> None:
    """SQLite takes `CREATE TABLE weekly (shipdate, publisher text)`: `shipdate` is a column
    (SQLite's own `PRAGMA table_info` lists it), not left out of the table's columns."""
    import sqlite3

    sql = 'CREATE TABLE weekly (SHIPDATE, publisher text, "Notes", PRIMARY KEY (publisher))'
    (ref,) = analyze_statement(sql, dialect="sqlite").refs
    with sqlite3.connect(":memory:") as conn:
        conn.execute(sql)
        real = tuple(row[1] for row in conn.execute("PRAGMA table_info(weekly)"))
    assert real == ("SHIPDATE", "publisher", "Notes")
    assert ref.columns == ("shipdate", "publisher", "Notes")


def test_a_column_list_filled_at_run_time_is_unknown() -> None:
    """`CREATE TABLE t ({columns})`: the hole stands for the whole list (sqlglot reads it as
    one bare column): the columns are unknown, neither `{columns}` nor none."""
    from analyzer.sql.refs import HOLE_PREFIX

    (ref,) = analyze_statement(f"CREATE TABLE staging ({HOLE_PREFIX}0__)").refs
    assert (ref.name, ref.columns) == ("staging", None)


@pytest.mark.parametrize(
    ("sql", "operation"),
    [("CREATE TEMP TABLE t (a int)", "create_temporary"),
     ("CREATE UNLOGGED TABLE t (a int)", "create")],
)
def test_create_temp_and_unlogged_tables(sql: str, operation: str) -> None:
    ref = only(sql)
    assert (ref.kind, ref.operation, ref.name, ref.columns) == ("ddl", operation, "t", ("a",))


def test_create_table_as_select() -> None:
    result = analyze_statement("CREATE TABLE t AS SELECT * FROM a JOIN b ON true")
    assert [(r.operation, r.name, r.columns) for r in result.refs] == [
        ("create", "t", None),
        ("select", "a", None),
        ("select", "b", None),
    ]


def test_create_table_like() -> None:
    result = analyze_statement("CREATE TABLE t (LIKE other INCLUDING ALL)")
    assert [(r.kind, r.operation, r.name, r.columns) for r in result.refs] == [
        ("ddl", "create", "t", None),
        ("read", "select", "other", None),
    ]


def test_create_table_partition_of() -> None:
    assert refs("CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1)") == [
        ("ddl", "create", "public", "p1"),
        ("ddl", "other", "public", "p"),
    ]


def test_create_views() -> None:
    view = analyze_statement(
        "CREATE OR REPLACE VIEW v AS WITH c AS (SELECT * FROM base) SELECT * FROM c"
    )
    assert [(r.kind, r.operation, r.name, r.object_type) for r in view.refs] == [
        ("ddl", "create", "v", "view"),
        ("read", "select", "base", "table"),
    ]
    matview = analyze_statement(
        "CREATE MATERIALIZED VIEW public.mv AS\n SELECT * FROM t\n  WITH NO DATA"
    )
    assert matview.parsed
    assert [(r.operation, r.name, r.object_type) for r in matview.refs] == [
        ("create", "mv", "materialized_view"),
        ("select", "t", "table"),
    ]


def test_drop_several_tables() -> None:
    result = analyze_statement("DROP TABLE IF EXISTS a, b.c CASCADE")
    assert result.refs == (
        TableRef("public", "a", "ddl", "drop", offset=21, if_exists=True),
        TableRef("b", "c", "ddl", "drop", offset=26, if_exists=True),
    )


def test_drop_views() -> None:
    assert [(r.name, r.object_type) for r in analyze_statement("DROP VIEW v, w").refs] == [
        ("v", "view"),
        ("w", "view"),
    ]
    assert only("DROP MATERIALIZED VIEW mv").object_type == "materialized_view"


def test_alter_rename_table_stays_in_schema() -> None:
    result = analyze_statement("ALTER TABLE IF EXISTS s.t RENAME TO u")
    assert result.refs == (
        TableRef("s", "t", "ddl", "rename_from", peer=("s", "u"), offset=24, if_exists=True),
        TableRef("s", "u", "ddl", "rename_to", peer=("s", "t"), offset=36, if_exists=True),
    )


def test_alter_view_rename() -> None:
    assert [
        (r.operation, r.name, r.object_type)
        for r in analyze_statement("ALTER VIEW v RENAME TO w").refs
    ] == [
        ("rename_from", "v", "view"),
        ("rename_to", "w", "view"),
    ]


def test_alter_columns() -> None:
    sql = 'ALTER TABLE t ADD COLUMN a int, DROP COLUMN IF EXISTS b, RENAME COLUMN "C" TO d'
    assert only(sql).column_changes == (
        ("add", "a", None),
        ("drop", "b", None),
        ("rename", "C", "d"),
    )
    # COLUMN is optional in PostgreSQL's RENAME.
    assert only("ALTER TABLE t RENAME a TO b").column_changes == (("rename", "a", "b"),)


def test_other_alter_table_forms() -> None:
    assert only(
        "ALTER TABLE ONLY public.t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id)"
    ) == (TableRef("public", "t", "ddl", "alter", offset=24))
    assert refs("ALTER TABLE t ALTER COLUMN a TYPE bigint") == [("ddl", "alter", "public", "t")]
    assert refs("ALTER TABLE IF EXISTS ONLY t DROP CONSTRAINT c") == [
        ("ddl", "alter", "public", "t")
    ]


def test_alter_table_owner_is_understood() -> None:
    result = analyze_statement("ALTER TABLE public.t OWNER TO bob")
    assert result == StatementResult(
        (TableRef("public", "t", "ddl", "alter", offset=19),), True, "command"
    )
    assert refs("ALTER TABLE t ENABLE ROW LEVEL SECURITY") == [("ddl", "alter", "public", "t")]


def test_alter_table_set_schema_is_a_rename() -> None:
    result = analyze_statement("ALTER TABLE t SET SCHEMA archive")
    assert [(r.operation, r.schema, r.name, r.peer) for r in result.refs] == [
        ("rename_from", "public", "t", ("archive", "t")),
        ("rename_to", "archive", "t", ("public", "t")),
    ]


def test_comment_on_table_and_column() -> None:
    assert refs("COMMENT ON TABLE t IS 'x'") == [("ddl", "comment", "public", "t")]
    assert refs("COMMENT ON COLUMN s.t.c IS 'x'") == [("ddl", "comment", "s", "t")]
    assert refs("COMMENT ON COLUMN t.c IS 'x'") == [("ddl", "comment", "public", "t")]
    assert only("COMMENT ON VIEW v IS 'x'").object_type == "view"
    assert refs("COMMENT ON EXTENSION plpgsql IS 'x'") == []


def test_create_index_and_trigger() -> None:
    assert only("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON s.t USING btree (a)") == (
        TableRef("s", "t", "ddl", "index", offset=54)
    )
    assert refs("CREATE TRIGGER trg AFTER INSERT ON s.t FOR EACH ROW EXECUTE FUNCTION f()") == [
        ("ddl", "trigger", "s", "t")
    ]
    assert refs("DROP TRIGGER trg ON t") == [("ddl", "trigger", "public", "t")]


def test_alter_sequence_owned_by() -> None:
    assert only("ALTER SEQUENCE public.s OWNED BY public.t.id") == TableRef(
        "public", "t", "ddl", "other", offset=40
    )
    assert refs("ALTER SEQUENCE s OWNED BY t.id") == [("ddl", "other", "public", "t")]
    assert refs("ALTER SEQUENCE s OWNED BY NONE") == []


def test_grant_and_revoke_on_tables() -> None:
    assert refs("GRANT SELECT ON t TO bob") == [("ddl", "other", "public", "t")]
    assert refs("GRANT SELECT, INSERT ON TABLE s.t, u TO bob") == [
        ("ddl", "other", "s", "t"),
        ("ddl", "other", "public", "u"),
    ]
    assert refs("REVOKE ALL ON TABLE t FROM bob") == [("ddl", "other", "public", "t")]
    assert refs("GRANT USAGE ON SCHEMA s TO bob") == []
    assert refs("GRANT ALL ON SEQUENCE s TO bob") == []
    assert refs("GRANT SELECT ON ALL TABLES IN SCHEMA public TO bob") == []
    assert refs("GRANT admin TO bob") == []


def test_refresh_and_lock() -> None:
    assert only("REFRESH MATERIALIZED VIEW CONCURRENTLY s.mv") == TableRef(
        "s", "mv", "ddl", "other", object_type="materialized_view", offset=41
    )
    assert refs("LOCK TABLE a, b IN ACCESS EXCLUSIVE MODE") == [
        ("ddl", "other", "public", "a"),
        ("ddl", "other", "public", "b"),
    ]


@pytest.mark.parametrize("dialect", ["mysql", "postgres"])
def test_mysql_lock_tables_names_its_tables_not_the_keyword(dialect: str) -> None:
    result = analyze_statement("LOCK TABLES a AS x READ LOCAL, s.b LOW_PRIORITY WRITE",
                               dialect=dialect)
    assert [(r.kind, r.operation, r.schema, r.name, r.offset, r.confidence)
            for r in result.refs] == [
        ("ddl", "other", "public", "a", 12, "high"),
        ("ddl", "other", "s", "b", 33, "high"),
    ]


def test_mysql_update_and_delete_read_the_tables_joined_to_their_target() -> None:
    """sqlglot hangs MySQL's joined tables on the target, where its scopes do not look."""
    assert refs("UPDATE t1 JOIN t2 ON t1.a = t2.a SET t1.b = %s", dialect="mysql") == [
        ("write", "update", "public", "t1"),
        ("read", "select", "public", "t2"),
    ]
    assert refs("DELETE a FROM a JOIN b ON a.i = b.i LEFT JOIN c ON c.i = b.i",
                dialect="mysql") == [
        ("write", "delete", "public", "a"),
        ("write", "delete", "public", "a"),
        ("read", "select", "public", "b"),
        ("read", "select", "public", "c"),
    ]
    derived = "UPDATE t1 JOIN (SELECT a FROM t3 JOIN t4 ON t3.a = t4.a) s ON t1.a = s.a SET b = 1"
    assert refs(derived, dialect="mysql") == [
        ("write", "update", "public", "t1"),
        ("read", "select", "public", "t3"),
        ("read", "select", "public", "t4"),
    ]
    # a CTE joined, directly or inside a derived table, is no table
    for sql in (
        "WITH x AS (SELECT 1 AS a) UPDATE t1 JOIN x ON t1.a = x.a SET t1.b = 1",
        "WITH x AS (SELECT 1 AS a) UPDATE t1 JOIN (SELECT a FROM x) s ON t1.a = s.a SET b = 1",
    ):
        assert refs(sql, dialect="mysql") == [("write", "update", "public", "t1")]


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE SCHEMA s",
        "CREATE DATABASE d",
        "CREATE EXTENSION IF NOT EXISTS pgcrypto",
        "CREATE SEQUENCE public.s AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE CACHE 1",
        "CREATE FUNCTION f() RETURNS int AS $$ SELECT count(*) FROM t; $$ LANGUAGE sql",
        "CREATE TYPE mood AS ENUM ('a', 'b')",
        "CREATE TYPE pair AS (a int, b text)",
        "SET search_path = public",
        "SET default_table_access_method = heap",
        "BEGIN",
        "COMMIT",
        "ROLLBACK",
        "VACUUM t",
        "ALTER EXTENSION x UPDATE",
        "DROP INDEX IF EXISTS i",
        "ALTER INDEX i RENAME TO j",
        "DROP EXTENSION x",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA s GRANT SELECT ON TABLES TO bob",
    ],
)
def test_table_free_statements(sql: str) -> None:
    assert refs(sql) == []


def test_explain_analyses_the_inner_statement() -> None:
    result = analyze_statement("EXPLAIN ANALYZE DELETE FROM t")
    assert result.parsed
    assert result.refs == (TableRef("public", "t", "write", "delete", offset=28),)


def test_prepare_analyses_the_statement_it_names(
    pg_server: DatabaseUrl, make_database: MakeDatabase
) -> None:
    """`PREPARE upd (int, int) AS UPDATE widgets ...` (taiga's bulk reorders): the statement
    it prepares writes `widgets`, at its offset; the `EXECUTE upd (...)` running it names no
    table. PostgreSQL runs both, and the row changes."""
    import psycopg

    prepare = 'PREPARE upd (int, int) AS UPDATE widgets SET "order" = $1 WHERE widgets.id = $2'
    result = analyze_statement(prepare)
    assert (result.parsed, result.statement_type) == (True, "update")
    assert result.refs == (TableRef("public", "widgets", "write", "update", offset=33),)
    assert prepare[33:40] == "widgets"
    execute = analyze_statement("EXECUTE upd (3, 1)")
    assert (execute.parsed, execute.refs) == (True, ())
    url = make_database(
        'CREATE TABLE widgets (id int, "order" int); INSERT INTO widgets VALUES (1, 0)'
    )
    with psycopg.connect(parse_database_url(url).conninfo, autocommit=True) as conn:
        conn.execute(prepare)
        conn.execute("EXECUTE upd (3, 1)")
        assert conn.execute('SELECT "order" FROM widgets').fetchall() == [(3,)]


def test_empty_input() -> None:
    assert analyze_statement("") == StatementResult((), True, "empty")
    assert analyze_statement("  -- only a comment\n") == StatementResult((), True, "empty")


def test_several_statements_in_one_string() -> None:
    result = analyze_statement(
        "SELECT * FROM a; INSERT INTO b VALUES (1); ALTER TABLE c OWNER TO x"
    )
    assert result.parsed
    assert [(r.kind, r.name, r.offset) for r in result.refs] == [
        ("read", "a", 14),
        ("write", "b", 29),
        ("ddl", "c", 55),
    ]


# -- fallback ----------------------------------------------------------------------------------


def test_parse_error_falls_back_to_tokens() -> None:
    result = analyze_statement("UPDATE ONLY t AS x SET a = 1 FROM u WHERE")
    assert result.parsed is False
    assert result.statement_type == "unparsed"
    assert result.error is not None
    assert result.error.startswith("parse error: ")
    assert result.error.endswith("(line 1, col 41)")
    assert result.refs == (
        TableRef("public", "t", "write", "update", offset=12, confidence="low"),
        TableRef("public", "u", "read", "select", offset=34, confidence="low"),
    )


def test_fallback_skips_ctes_functions_and_keywords() -> None:
    sql = (
        "WITH x AS (SELECT * FROM a), y (c) AS MATERIALIZED (SELECT 1) "
        "SELECT * FROM x JOIN y ON true JOIN b ON x.id IS DISTINCT FROM b.id "
        "WHERE extract(year FROM x.d) = 1 AND EXISTS (SELECT 1 FROM generate_series(1, 2), c) ORDER"
    )
    result = analyze_statement(sql)
    assert result.parsed is False
    assert [(r.kind, r.name, r.confidence) for r in result.refs] == [
        ("read", "a", "low"),
        ("read", "b", "low"),
        ("read", "c", "low"),
    ]


def test_fallback_for_unterminated_string() -> None:
    result = analyze_statement("SELECT * FROM t WHERE a = 'abc")
    assert result.parsed is False
    assert result.error is not None and result.error.startswith("tokenizer error: ")
    assert [(r.name, r.offset) for r in result.refs] == [("t", 14)]


@pytest.mark.parametrize(
    ("sql", "operation"),
    [
        ("INSERT INTO t (a, b) VALUES (1, 2) garbage (((", "insert"),
        ("INSERT INTO t(a, b) VALUES (1, 2) garbage (((", "insert"),
        ("INSERT INTO t AS x (a) VALUES (1) garbage (((", "insert"),
        ("REPLACE INTO t (a, b) VALUES (1, 2) garbage (((", "insert"),
        ("INSERT OR REPLACE INTO t (a) VALUES (1) garbage (((", "insert"),
        ("UPSERT INTO t (a) VALUES (1) garbage (((", "insert"),
        ("INSERT IGNORE INTO t (a) VALUES (1)", "insert"),
        ("INSERT LOW_PRIORITY IGNORE INTO t (a) VALUES (1) garbage (((", "insert"),
        ("MERGE INTO t AS x USING u ON x.a = u.a WHEN MATCHED garbage (((", "merge"),
    ],
)
def test_fallback_reads_the_table_an_insert_writes(sql: str, operation: str) -> None:
    """The parenthesis after an INSERT's table opens its column list, not a function call:
    the token scan used to skip the table it writes."""
    result = analyze_statement(sql)
    assert result.parsed is False
    written = [("write", operation, "t", sql.index(" t") + 1, "low")]
    read = [("read", "select", "u", sql.index(" u ") + 1, "low")] if operation == "merge" else []
    assert [(r.kind, r.operation, r.name, r.offset, r.confidence) for r in result.refs] == (
        written + read
    )


def test_fallback_reads_backquoted_names_in_any_dialect() -> None:
    """MySQL's quoting fails PostgreSQL's parser, and its tokenizer does not know it: the
    token scan still reads one quoted name (its case kept), at its opening quote, as the
    tree of the mysql dialect gives it."""
    sql = "SELECT * FROM `db`.`Users` u JOIN `events` ON 1 = 1 WHERE `id` = %s"
    result = analyze_statement(sql)
    assert result.parsed is False
    assert [(r.schema, r.name, r.offset, r.confidence) for r in result.refs] == [
        ("db", "Users", 19, "low"),
        ("public", "events", 34, "low"),
    ]
    mysql = analyze_statement(sql, dialect="mysql")
    assert [(r.schema, r.name, r.offset, r.confidence) for r in mysql.refs] == [
        ("db", "Users", 19, "high"),
        ("public", "events", 34, "high"),
    ]


def test_fallback_insert_select_reads_both_tables() -> None:
    result = analyze_statement("INSERT INTO t (a) SELECT x FROM u WHERE garbage (((")
    assert result.parsed is False
    assert [(r.kind, r.operation, r.name, r.offset) for r in result.refs] == [
        ("write", "insert", "t", 12),
        ("read", "select", "u", 32),
    ]


def test_fallback_select_into_a_variable_names_no_table() -> None:
    result = analyze_statement(
        "DO $$ BEGIN SELECT replace(a, 'x', 'y') INTO v FROM u; END $$"
    )
    assert [(r.kind, r.name) for r in result.refs] == [("read", "u")]


def test_do_block_body_is_scanned() -> None:
    sql = "DO $$ BEGIN INSERT INTO t VALUES (1); SELECT count(*) INTO n FROM u; END $$"
    result = analyze_statement(sql)
    assert result.parsed is False
    assert result.statement_type == "command"
    assert result.error is not None
    assert [(r.kind, r.operation, r.name, r.offset, r.confidence) for r in result.refs] == [
        ("write", "insert", "t", 24, "low"),
        ("read", "select", "u", 66, "low"),
    ]


def test_attach_partition_uses_the_fallback() -> None:
    result = analyze_statement("ALTER TABLE t ATTACH PARTITION p FOR VALUES IN (1)")
    assert result.parsed is False
    assert [(r.operation, r.name, r.confidence) for r in result.refs] == [
        ("alter", "t", "low"),
        ("other", "p", "low"),
    ]


def test_grammar_fixed_commands_are_understood() -> None:
    policy = analyze_statement("CREATE POLICY p ON s.t USING (true)")
    assert policy == StatementResult(
        (TableRef("s", "t", "ddl", "other", offset=21),), True, "command"
    )
    trigger = analyze_statement(
        "CREATE TRIGGER trg BEFORE UPDATE OF a ON t FOR EACH ROW "
        "WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE PROCEDURE f() junk"
    )
    assert trigger == StatementResult(
        (TableRef("public", "t", "ddl", "trigger", offset=41),), True, "command"
    )
    assert refs("DROP POLICY IF EXISTS p ON t") == [("ddl", "other", "public", "t")]


def test_fallback_after_a_parse_error() -> None:
    result = analyze_statement("CREATE TABLE t (a int, CHECK (a > ) ); ")
    assert result.parsed is False
    assert [(r.kind, r.operation, r.name, r.confidence) for r in result.refs] == [
        ("ddl", "create", "t", "low")
    ]
    result = analyze_statement("DROP TABLE IF EXISTS a, s.b CASCADE junk (")
    assert result.parsed is False
    assert [(r.schema, r.name, r.if_exists, r.confidence) for r in result.refs] == [
        ("public", "a", True, "low"),
        ("s", "b", True, "low"),
    ]


def test_fallback_copy_does_not_read_the_file_name() -> None:
    result = analyze_statement("COPY t (a) FROM stdin WITH (FORMAT csv, HEADER, ???)")
    assert [(r.kind, r.operation, r.name) for r in result.refs] == [("write", "copy", "t")]


def test_pathological_input_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    deep = analyze_statement("SELECT " + "(" * 3000 + "1" + ")" * 3000 + " FROM t")
    assert deep.parsed is False
    assert deep.error == "statement is nested too deeply for the SQL parser"
    assert [r.name for r in deep.refs] == ["t"]
    monkeypatch.setattr(statements, "MAX_PARSE_CHARS", 1_000)
    huge = analyze_statement("INSERT INTO t VALUES " + ",".join(["(1)"] * 500))
    assert huge.parsed is False
    assert huge.error == "statement too long for the SQL parser (2020 characters)"
    assert [(r.operation, r.name) for r in huge.refs] == [("insert", "t")]


def test_unknown_dialect() -> None:
    assert analyze_statement("SELECT 1", dialect="no-such-dialect") == StatementResult(
        (), False, "unparsed", "unknown SQL dialect 'no-such-dialect'"
    )


def test_other_dialects() -> None:
    assert refs("SELECT * FROM `Db`.`Tbl`", dialect="mysql") == [("read", "select", "Db", "Tbl")]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["SELECT", "FROM", "t", "JOIN", "(", ")", ",", "WITH", "AS", "INSERT", "INTO",
             "UPDATE", "SET", "=", "'", "$$", "ALTER", "TABLE", "DROP", "CREATE", "ON", ";",
             "__tt_hole_1__", "%s", ":x", "?", "COPY", "DO", "*", ".", "\\"]
        ),
        max_size=25,
    ).map(" ".join)
)  # fmt: skip
def test_never_raises(sql: str) -> None:
    result = analyze_statement(sql)
    assert isinstance(result, StatementResult)
    assert result.parsed or result.error
    for ref in result.refs:
        assert ref.kind in ("read", "write", "ddl")
        assert ref.offset is None or 0 <= ref.offset < len(sql)


def test_a_sqlite_virtual_table_is_created_whatever_the_dialect() -> None:
    # FTS5 search tables exist only in SQLite: a project creating one has a SQLite database
    result = analyze_statement(
        "CREATE VIRTUAL TABLE IF NOT EXISTS docs USING FTS5(slug, title, body)",
        dialect="postgres",
        default_schema="public",
    )
    assert result.parsed
    assert [(r.schema, r.name, r.kind, r.operation) for r in result.refs] == [
        ("public", "docs", "ddl", "create")
    ]
    # the module's options are no columns (sqlglot alone stops at them)
    with_options = analyze_statement(
        'CREATE VIRTUAL TABLE docs\n  USING FTS5(slug, body, tokenize="porter unicode61")',
        dialect="postgres",
        default_schema="public",
    )
    assert [(r.name, r.operation, r.offset) for r in with_options.refs] == [
        ("docs", "create", 21)
    ]


@pytest.mark.parametrize("dialect", ["postgres", "sqlite"])
@pytest.mark.parametrize(
    "pragma", ["PRAGMA foreign_keys = on", "pragma journal_mode=WAL", "PRAGMA user_version = 3"]
)
def test_a_pragma_is_sqlites_setting_whatever_the_dialect(dialect: str, pragma: str) -> None:
    """PRAGMA exists only in SQLite; PostgreSQL's grammar cannot read `= on`: read as
    SQLite's, a setting naming no table, never an unparsable statement."""
    result = analyze_statement(pragma, dialect=dialect, default_schema="public")
    assert (result.parsed, result.refs, result.error) == (True, (), None)


@pytest.mark.parametrize("default_schema", ["public", "main"])
def test_sqlites_main_database_is_the_default_schema(default_schema: str) -> None:
    """SQLite's `main.t` is the table `t` of the connection's own database file; another
    schema (`ATTACH ... AS archive`) stays its own. Only in SQLite's dialect: PostgreSQL may
    have a schema named `main`."""
    sql = "SELECT s.sd_hash FROM main.stream s JOIN archive.stream a USING (sd_hash)"
    sqlite = analyze_statement(sql, dialect="sqlite", default_schema=default_schema)
    assert [(r.schema, r.name) for r in sqlite.refs] == [
        (default_schema, "stream"), ("archive", "stream")
    ]
    created = analyze_statement(
        "CREATE TABLE main.blob_tag (blob_hash text REFERENCES main.blob (blob_hash))",
        dialect="sqlite", default_schema=default_schema,
    )
    assert [(r.schema, r.name) for r in created.refs] == [(default_schema, "blob_tag")]
    assert [(k.schema, k.name) for k in created.references] == [(default_schema, "blob")]
    postgres = analyze_statement(sql, dialect="postgres", default_schema="public")
    assert [(r.schema, r.name) for r in postgres.refs] == [
        ("main", "stream"), ("archive", "stream")
    ]


@pytest.mark.parametrize("dialect", ["postgres", "sqlite"])
def test_an_index_named_in_another_schema_is_on_that_schemas_table(dialect: str) -> None:
    """SQLite's `CREATE INDEX other_db.idx ON items(name)`: the schema qualifies the index and
    the table is in that schema. sqlglot reads an index `other_db` on a table `idx`; the table
    is `other_db.items`, and plain indexes keep their table."""
    assert refs("CREATE INDEX out_db.items_name ON items(name)", dialect=dialect) == [
        ("ddl", "index", "out_db", "items"),
    ]
    assert refs(
        "CREATE INDEX IF NOT EXISTS out_db.ix ON coin_record(spent_index)", dialect=dialect
    ) == [("ddl", "index", "out_db", "coin_record")]
    assert refs("CREATE INDEX items_name ON items(name)", dialect=dialect) == [
        ("ddl", "index", "public", "items"),
    ]
    assert refs("CREATE UNIQUE INDEX ix ON s.t (lower(a))", dialect=dialect) == [
        ("ddl", "index", "s", "t"),
    ]


def test_a_cte_of_execute_values_is_no_table() -> None:
    """psycopg's `execute_values(cur, "WITH ids (id) AS (VALUES %s) ...", rows)`: sqlglot
    reads `VALUES %s` as a modulo, so the CTE has no query body; its name is still a CTE."""
    assert refs("WITH ids (gid) AS (VALUES %s) SELECT * FROM items JOIN ids ON true") == [
        ("read", "select", "public", "items"),
    ]


def test_queries_inside_an_insert_outside_its_source_are_read() -> None:
    """A scalar subquery among an INSERT's VALUES or in its RETURNING, also naming a CTE of
    the statement: sqlglot makes no scope for it, so its tables had been missed (a lookup
    table read only this way looked unread). SQLite's authorizer, running each statement,
    reports exactly the tables read and written."""
    import sqlite3

    statements_run = [
        "INSERT INTO articles (author_id, title) VALUES "
        "((SELECT id FROM users WHERE username = 'ann'), 't')",
        "WITH a AS (SELECT id FROM users WHERE username = 'ann') "
        "INSERT INTO articles (author_id, title) VALUES ((SELECT id FROM a), 't')",
        "INSERT INTO articles (author_id, title) VALUES (1, 't') "
        "RETURNING (SELECT username FROM users WHERE users.id = author_id)",
    ]
    expected = [("read", "users"), ("write", "articles")]
    assert [
        sorted((kind, name) for kind, _, _, name in refs(sql, dialect="sqlite"))
        for sql in statements_run
    ] == [expected] * 3
    db = sqlite3.connect(":memory:")
    db.executescript(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT);"
        "CREATE TABLE articles (id INTEGER PRIMARY KEY, author_id INT, title TEXT);"
        "INSERT INTO users VALUES (1, 'ann');"
    )
    seen: set[tuple[str, str]] = set()

    def authorizer(action: int, table: str | None, *_: object) -> int:
        if action == sqlite3.SQLITE_READ and table:
            seen.add(("read", table))
        elif action == sqlite3.SQLITE_INSERT and table:
            seen.add(("write", table))
        return sqlite3.SQLITE_OK

    for sql in statements_run:
        seen.clear()
        db.set_authorizer(authorizer)
        db.execute(sql).fetchall()
        db.set_authorizer(None)
        # (RETURNING reads the row it inserted: a column of the written table)
        written = {name for kind, name in seen if kind == "write"}
        assert sorted(p for p in seen if p[0] == "write" or p[1] not in written) == expected


def test_a_row_lock_target_is_no_table() -> None:
    """`FOR UPDATE OF o` / `FOR SHARE OF orders`: the lock names a FROM item (by alias or by
    table), which the FROM clause already reads; `o` is no table. (PostgreSQL rejects a target
    outside the FROM clause: `tests/test_idioms.py`.)"""
    assert refs(
        "SELECT o.id FROM orders o JOIN users u ON u.id = o.user_id FOR UPDATE OF o"
    ) == [("read", "select", "public", "orders"), ("read", "select", "public", "users")]
    assert refs("SELECT id FROM app.orders FOR SHARE OF orders NOWAIT") == [
        ("read", "select", "app", "orders")
    ]


def test_a_temporary_table_lifetime_is_read_through() -> None:
    """`ON COMMIT DROP` between a temporary table's name and its AS (or after its columns):
    sqlglot parses neither form, so the clause is blanked before parsing (same length)."""
    assert refs("CREATE TEMP TABLE t ON COMMIT DROP AS SELECT a FROM src") == [
        ("ddl", "create_temporary", "public", "t"), ("read", "select", "public", "src")
    ]
    assert refs("CREATE TEMPORARY TABLE t (id int) ON COMMIT DELETE ROWS") == [
        ("ddl", "create_temporary", "public", "t")
    ]


def test_an_sqlite_index_hint_is_no_table() -> None:
    """`FROM coins INDEXED BY coins_name`: the index named in the hint is no table (sqlglot
    keeps it as a Table under the table's `indexed`). SQLite itself runs each statement on a
    database holding only the two tables and the index."""
    import sqlite3

    statements_run = [
        "SELECT * FROM coins INDEXED BY coins_name WHERE name = 'a'",
        "UPDATE coins INDEXED BY coins_name SET spent = 1 WHERE name = 'a'",
        "DELETE FROM coins INDEXED BY coins_name WHERE name = 'a'",
        "SELECT * FROM coins NOT INDEXED JOIN hints INDEXED BY hints_coin ON coin = name",
    ]
    assert [refs(sql, dialect="sqlite") for sql in statements_run] == [
        [("read", "select", "public", "coins")],
        [("write", "update", "public", "coins")],
        [("write", "delete", "public", "coins")],
        [("read", "select", "public", "coins"), ("read", "select", "public", "hints")],
    ]
    db = sqlite3.connect(":memory:")
    db.executescript(
        "CREATE TABLE coins (name TEXT, spent INT); CREATE INDEX coins_name ON coins(name);"
        "CREATE TABLE hints (coin TEXT); CREATE INDEX hints_coin ON hints(coin);"
    )
    for sql in statements_run:
        db.execute(sql)
    assert sorted(row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE "
                                               "type = 'table'")) == ["coins", "hints"]


def test_the_token_scan_reads_no_piece_of_a_templated_name() -> None:
    """A `str.format` template read as it is written (formatted later, so sqlglot cannot
    parse it): `projects_{type}status` and `{tbl}_archive` are pieces of names known only
    once formatted, not the tables `projects_` and `_archive`; the other tables are read."""
    text = (
        "SELECT {tbl}.id FROM {tbl}_archive JOIN projects_{type}status ON a = b "
        "JOIN users ON users.id = {tbl}.owner"
    )
    result = analyze_statement(text, dialect="postgres", default_schema="public")
    assert not result.parsed
    assert [(ref.name, ref.kind, ref.confidence) for ref in result.refs] == [
        ("users", "read", "low"),
    ]


@pytest.mark.parametrize("dialect", ["postgres", "sqlite", "mysql"])
@pytest.mark.parametrize(
    ("sql", "attached"),
    [
        ("ATTACH ? AS import_db", "import_db"),
        ("attach database 'backup.db' as Backup;", "backup"),
        ('ATTACH DATABASE :path AS "Aux"', "Aux"),
        ("ATTACH DATABASE ? || '.db' AS [old db]", "old db"),
        ("ATTACH DATABASE ? AS __tt_hole_0__", None),
    ],
)
def test_attach_names_a_schema_and_no_table(sql: str, attached: str | None, dialect: str) -> None:
    """SQLite's ATTACH, which sqlglot reads only in its sqlite dialect, in every dialect: the
    schema name it gives another database (none when a hole names it), no table."""
    result = analyze_statement(sql, dialect=dialect)
    assert (result.refs, result.parsed, result.statement_type, result.attached) == (
        (), True, "attach", attached
    )


@pytest.mark.parametrize("sql", ["DETACH import_db", "DETACH DATABASE import_db;"])
def test_detach_is_no_table(sql: str) -> None:
    result = analyze_statement(sql)
    assert (result.refs, result.parsed, result.statement_type, result.attached) == (
        (), True, "detach", None
    )


@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "INSERT INTO [blacklist] (show_id, keyword) VALUES (?, ?)",
            [("public", "blacklist", "write", 13)],
        ),
        ("SELECT * FROM [lastSearch] WHERE a = 1", [("public", "lastsearch", "read", 15)]),
        ("DELETE FROM [my list] WHERE a = 1", [("public", "my list", "write", 12)]),
        (
            "SELECT x[1] FROM [main].[tv_shows] JOIN [order] ON a[i] = '[y]'",
            [("main", "tv_shows", "read", 25), ("public", "order", "read", 41)],
        ),
        ("CREATE TABLE IF NOT EXISTS [history] (a int)", [("public", "history", "ddl", 28)]),
        ("UPDATE [tv] SET a = ARRAY[1]", [("public", "tv", "write", 8)]),
    ],
)
def test_a_name_in_brackets_is_a_table_where_brackets_are_arrays(
    sql: str, expected: list[tuple[str, str, str, int]], dialect: str
) -> None:
    """SQLite's and SQL Server's `[name]` after FROM, JOIN, INTO, UPDATE, TABLE (and after
    such a name and a dot) in a dialect that reads brackets as arrays: a plain word loses
    its brackets (those engines ignore case), another name becomes a quoted one. Arrays,
    subscripts and strings are untouched; offsets stand."""
    result = analyze_statement(sql, dialect=dialect)
    assert result.parsed, result.error
    assert [(r.schema, r.name, r.kind, r.offset) for r in result.refs] == expected


@pytest.mark.parametrize(
    ("sql", "dialect", "expected"),
    [
        ("CREATE TEMP TABLE scratch (id int)", "postgres", ("create_temporary", "table")),
        ("CREATE TEMPORARY TABLE IF NOT EXISTS scratch AS SELECT 1", "sqlite",
         ("create_temporary", "table")),
        ("CREATE OR REPLACE TEMP VIEW scratch AS SELECT 1", "spark", ("create_temporary", "view")),
        ("CREATE TEMPORARY TABLE scratch (id int)", "mysql", ("create_temporary", "table")),
        # the standard's (and Oracle's) global temporary table is a schema object
        ("CREATE GLOBAL TEMPORARY TABLE scratch (id int)", "postgres", ("create", "table")),
        ("CREATE UNLOGGED TABLE scratch (id int)", "postgres", ("create", "table")),
    ],
)
def test_temporary_creations_are_their_own_operation(
    sql: str, dialect: str, expected: tuple[str, str]
) -> None:
    result = analyze_statement(sql, dialect=dialect)
    assert [(r.name, r.kind, r.operation, r.object_type) for r in result.refs] == [
        ("scratch", "ddl", *expected)
    ]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        # sqlite-vec's column types are beyond sqlglot: the token scan reads the creation
        ("CREATE VIRTUAL TABLE IF NOT EXISTS docs USING vec0(id TEXT, v float[768])",
         ("docs", "create", True)),
        ("CREATE TEMP TABLE scratch (a int, CHECK (a > ))", ("scratch", "create_temporary", False)),
        ("CREATE GLOBAL TEMPORARY TABLE scratch (a int, CHECK (a > ))",
         ("scratch", "create", False)),
    ],
)
def test_the_token_scan_reads_virtual_and_temporary_creations(
    sql: str, expected: tuple[str, str, bool]
) -> None:
    result = analyze_statement(sql, dialect="sqlite")
    assert result.parsed is False
    assert [(r.name, r.operation, r.if_not_exists, r.confidence) for r in result.refs] == [
        (*expected, "low")
    ]


@pytest.mark.parametrize(
    ("sql", "created"),
    [
        ("CREATE SEQUENCE IF NOT EXISTS account_data_seq", ("public", "account_data_seq")),
        ('CREATE SEQUENCE "Ids".Ticket_Seq START 10', ("Ids", "ticket_seq")),
        ("CREATE TEMPORARY SEQUENCE scratch_seq", ("public", "scratch_seq")),
    ],
)
def test_a_created_sequence_is_no_table(sql: str, created: tuple[str, str]) -> None:
    """`CREATE SEQUENCE` makes no table: no ref, the sequence named apart (PostgreSQL reads
    it as a relation: `SELECT last_value FROM account_data_sequence`)."""
    result = analyze_statement(sql)
    assert (result.refs, result.sequences, result.parsed) == ((), (TableKey(*created),), True)
    several = analyze_statement(f"{sql}; SELECT 1 FROM t")
    assert several.sequences == (TableKey(*created),)
    assert [(r.name, r.kind) for r in several.refs] == [("t", "read")]


def test_statements_one_a_line_without_semicolons_are_each_read() -> None:
    """An upgrade's statements one a line with no `;` (a runner splits the text on line
    breaks): sqlglot reads SQLite's `ALTER TABLE ... ADD COLUMN` as an opaque command that
    swallows the lines after it, so only the first table was read. Each line is now its own
    statement where the text may be split so (`one_a_line`: a text of code no sink runs as
    it is); a `.sql` file's (or a sink's) stays one, which the database refuses, as sqlite3
    does. A statement whose continuation line starts with a keyword at another indentation
    is not split. sqlite3 runs the lines one by one."""
    import sqlite3

    upgrade = (
        "\n        ALTER TABLE podcast ADD COLUMN payment_url TEXT NULL DEFAULT NULL\n"
        "        ALTER TABLE episode ADD COLUMN payment_url TEXT NULL DEFAULT NULL\n"
        "        UPDATE podcast SET http_etag=NULL\n        "
    )
    result = analyze_statement(upgrade, dialect="sqlite", default_schema="main", one_a_line=True)
    assert result.parsed
    assert [(r.name, r.kind, r.operation, upgrade[: r.offset].count("\n") + 1)
            for r in result.refs] == [
        ("podcast", "ddl", "alter", 2),
        ("episode", "ddl", "alter", 3),
        ("podcast", "write", "update", 4),
    ]
    # as a statement of a longer text, its first line's indentation stripped
    stripped = analyze_statement(
        upgrade.strip(), dialect="sqlite", default_schema="main", one_a_line=True
    )
    assert [(r.name, r.operation) for r in stripped.refs] == [
        ("podcast", "alter"), ("episode", "alter"), ("podcast", "update"),
    ]
    whole = analyze_statement(upgrade, dialect="sqlite", default_schema="main")
    assert [r.name for r in whole.refs] == ["podcast"]
    with sqlite3.connect(":memory:") as conn:
        conn.executescript("CREATE TABLE podcast (http_etag text); CREATE TABLE episode (id int);")
        with pytest.raises(sqlite3.OperationalError):
            conn.executescript(upgrade)
        for line in upgrade.strip().split("\n"):
            conn.execute(line)
        assert [row[1] for row in conn.execute("PRAGMA table_info(episode)")] == [
            "id", "payment_url"
        ]
    one = analyze_statement(
        "ALTER TABLE podcast ADD COLUMN note TEXT\n    UPDATE SET x = 1",
        dialect="sqlite", default_schema="main", one_a_line=True,
    )
    assert [(r.name, r.operation) for r in one.refs] == [("podcast", "alter")]


@pytest.mark.parametrize("clause", ["WITHOUT OIDS", "WITH OIDS", "without  oids"])
def test_an_old_postgresql_oids_clause_is_read_through(clause: str) -> None:
    """`CREATE TABLE ... WITHOUT OIDS` (PostgreSQL before 12, kept by old schema files on
    every table) parses as the CREATE it is, columns and foreign keys included, where sqlglot
    alone gives an opaque Command."""
    sql = (
        "CREATE TABLE build (id serial PRIMARY KEY, owner int REFERENCES users (id))\n"
        f"    {clause};"
    )
    result = analyze_statement(sql)
    assert (result.parsed, result.error, result.statement_type) == (True, None, "create")
    assert [(r.name, r.operation, r.columns) for r in result.refs] == [
        ("build", "create", ("id", "owner"))
    ]
    assert result.references == (TableKey("public", "users"),)


def test_postgresql_takes_without_oids(make_database: MakeDatabase) -> None:
    """PostgreSQL 12+ still accepts `WITHOUT OIDS` (and refuses `WITH OIDS`): the columns it
    makes are the ones read."""
    import psycopg

    from analyzer.database.url import parse_database_url

    url = make_database(
        "CREATE TABLE users (id int PRIMARY KEY);"
        "CREATE TABLE build (id serial PRIMARY KEY, owner int REFERENCES users (id))"
        " WITHOUT OIDS;"
    )
    with psycopg.connect(parse_database_url(url).conninfo) as conn:
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'build'"
            " ORDER BY ordinal_position"
        ).fetchall()
    assert [row[0] for row in rows] == ["id", "owner"]
