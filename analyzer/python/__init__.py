"""The Python layer every reader shares: one parse per file, node helpers, the expression IR,
the scope model, string templates and the static evaluator.

Readers (`analyzer.readers`) build on this package; nothing here knows about SQL tables,
ORMs or migrations.
"""
