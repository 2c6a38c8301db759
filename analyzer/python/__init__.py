"""The Python layer every reader shares: one parse per file with cheap positions and a walk
that does not rebuild nodes, node helpers, the expression IR, the scope model and string
templates.

Readers (`analyzer.readers`) build on this package; nothing here knows about SQL tables,
ORMs or migrations.
"""
