"""Per-file readers: `path + text -> facts`, pure, run in worker processes and cached.

`python_module.read_python` parses a Python file once and runs every Python reader on that
one tree (code SQL, SQLAlchemy, Alembic); `sql_file.extract_sql_file` reads `.sql` files.
"""
