"""The bytes every suppression comment holds (`# tabletrace: ignore[...]`).

Its own module, importing nothing: the policy reads only the files that hold it
(`analyzer.policy.suppression`), and the early cutoff (`analyzer.cutoff`) tells from it alone,
without importing the policy or the report model, that a changed file cannot change what the
policy did to the last report.
"""

MARKER = b"tabletrace:"
