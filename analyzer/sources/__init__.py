"""Every schema source, replayed: what each one creates, drops and renames, in its order.

One replay model (`model.py`: `SchemaOp`, `SourceHistory`, `replay`) serves every source:
Alembic environments (`alembic*.py`), `.sql` files and numbered folders (`sql_files.py`),
DDL in application code (`runtime.py`), ORM declarations (`declarations.py`), Django
migrations (`django.py`), Django model declarations and the tables a Django project uses but
does not own (`django_project.py`). Sources read facts only, never files: every file a source
needs was scheduled and read by the engine.
"""
