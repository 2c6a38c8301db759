"""Today's extractors on `Positions` and `walk` give the same report, byte for byte.

A preview of the integration (the new readers will call `Positions` and `walk` directly): the
patch in `benchmarks/parts.py` puts them in place of `PositionProvider` and `CSTNode.visit`
for the stock `analyzer/extract` readers, and a whole scan of `sample_repo` must not change.
When `analyzer/extract` is replaced, this test goes with it.
"""

from __future__ import annotations

import libcst as cst

from analyzer import scan
from analyzer.extract import python_source
from tests.conftest import SAMPLE
from tests.test_speed_table import load

parts = load("benchmarks/parts.py")


def test_sample_repo_report_is_identical_on_the_engine_parts() -> None:
    reference = scan(SAMPLE, jobs=1, prefilter=False).to_json()
    original_visit = cst.CSTNode.visit
    with parts.extractors_on_engine_parts():
        assert python_source._positions is parts.Positions
        patched = scan(SAMPLE, jobs=1, prefilter=False).to_json()
    assert cst.CSTNode.visit is original_visit  # restored
    assert patched == reference
