"""Fonts read once per process give the same PDF as fpdf2's own `add_font` (export/pdf_layout.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

import smartpick.export.pdf_layout as layout
from smartpick.export.pdf import plan_pdf
from smartpick.export.pdf_layout import DEJAVU_DIR
from smartpick.service.advise import advise
from smartpick.service.catalog import Catalog
from smartpick.testing import reference_profile


def _without_dates(data: bytes) -> bytes:
    """The PDF without its creation date and the file id derived from it."""
    data = re.sub(rb"/CreationDate \(D:[^)]*\)", b"", data)
    return re.sub(rb"/ID \[<[0-9A-F]+><[0-9A-F]+>\]", b"", data)


@pytest.mark.skipif(not (DEJAVU_DIR / "DejaVuSans.ttf").is_file(), reason="no DejaVu fonts")
def test_fonts_read_once_make_the_same_pdf(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = advise(reference_profile("guide-sample"), catalog=catalog, today=dt.date(2026, 11, 24))
    first, second = plan_pdf(plan), plan_pdf(plan)  # the second reuses the fonts read
    monkeypatch.setattr(
        layout, "_add_font", lambda pdf, family, style, path: pdf.add_font(family, style, path)
    )
    own = plan_pdf(plan)
    assert _without_dates(first) == _without_dates(second) == _without_dates(own)
