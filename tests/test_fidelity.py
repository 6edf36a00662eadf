"""The fidelity figures of ``docs/fidelity.md`` are what ``tests/measure_fidelity.py`` measures
now, and the replica's readable generations come back whole."""

from __future__ import annotations

import contextlib
import io

from conftest import ROOT
from measure_fidelity import main


def test_the_docs_figures_are_the_measured_ones_and_every_readable_markup_comes_back_whole() -> (
    None
):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main()
    measured = out.getvalue().strip()
    assert measured in (ROOT / "docs" / "fidelity.md").read_text("utf-8")
    for line in measured.splitlines():
        if line.startswith("| `") and "changed" not in line:
            cells = [cell.strip().removesuffix(" (c)") for cell in line.split("|")[3:-1]]
            assert set(cells) == {"100.0"}, line
