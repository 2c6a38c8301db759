"""SQL a Spark job runs: names of its session's catalog, files, views known at run time.

A package that runs PySpark (`spark.sql(f"SELECT ... FROM {view}")`, views registered with
`df.createOrReplaceTempView(name)`, files read as `parquet.`/data/listens``) and opens no
database connection of its own (no SQL driver, ORM or Django among its imports) writes SQL
for Spark. A name there known only at run time (`f"SELECT * FROM {final_table}"`, a view a
step registered under a computed name) is one of its session's, a temporary view or a table
of its catalog, not a table of the application's database: `dynamic-table-name` says so at
severity info (listenbrainz's Spark jobs had 114 warnings). A file read through a format
prefix is no table at all. Its other names stay as they are: such a package also reads the
application's own tables over JDBC (`spark.read.format("jdbc").option("query", ...)`),
which tabletrace does not tell from its `spark.sql` calls.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from analyzer.facts import ImportBinding, PythonFacts

if TYPE_CHECKING:
    from analyzer.resolve.code_sql import PythonSql

#: Roots of the imports that make a module Spark code.
_SPARK_ROOTS = frozenset({"pyspark"})
#: Roots of the imports that give a package a database connection of its own.
_DATABASE_ROOTS = frozenset({
    "sqlalchemy", "psycopg2", "psycopg", "asyncpg", "aiopg", "sqlite3", "aiosqlite", "pymysql",
    "MySQLdb", "mysql", "aiomysql", "django", "peewee", "databases", "records", "pyodbc",
    "cx_Oracle", "oracledb", "duckdb", "clickhouse_driver", "flask_sqlalchemy", "sqlmodel",
    "tortoise", "pony", "sqlite_utils", "dataset",
})
#: Spark's data source prefixes: `SELECT * FROM parquet.`/data/x`` reads a file.
_FILE_FORMATS = frozenset({"parquet", "csv", "json", "orc", "avro", "delta", "text", "binaryfile"})


def spark_packages(modules: Iterable[tuple[str, Iterable[ImportBinding]]]) -> set[str]:
    """The top-level packages some of whose modules import PySpark and none of whose modules
    imports a database library, from each Python file's module name and imports (a file
    the first look skipped counts by its first look's imports: a package's `__init__.py`
    making the session may hold no SQL)."""
    spark: set[str] = set()
    databases: set[str] = set()
    for module, imports in modules:
        package = module.split(".", 1)[0]
        roots = {binding.module.split(".", 1)[0] for binding in imports if binding.module}
        if roots & _SPARK_ROOTS:
            spark.add(package)
        if roots & _DATABASE_ROOTS:
            databases.add(package)
    return spark - databases


def in_spark_sessions(
    modules: Iterable[PythonFacts], resolved: Mapping[str, PythonSql],
    packages: Collection[str],
) -> dict[str, PythonSql]:
    """Each module's SQL, that of the Spark packages' modules (`spark_packages`) without the
    files it reads and with its run-time names marked as the session's."""
    out = dict(resolved)
    if not packages:
        return out
    for facts in modules:
        sql = resolved.get(facts.path)
        if sql is None or facts.module.split(".", 1)[0] not in packages:
            continue
        out[facts.path] = replace(
            sql,
            refs=[
                ref for ref in sql.refs
                if ref.ref.schema not in _FILE_FORMATS and ref.ref.name not in _FILE_FORMATS
            ],
            dynamic=[replace(name, engine="spark") for name in sql.dynamic],
        )
    return out
