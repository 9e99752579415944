"""A two-specialty list in the files: Internal Medicine has gold and silver signals, Family
Medicine one kind (a "signal"), and the same program name can be on the list once per specialty.
The JSON contract, the list's sentences, the XLSX and the PDF all say so the same way."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest

from smartpick.core.lists.result import Recommendation
from smartpick.core.plan.types import Plan
from smartpick.export.pdf import plan_pdf
from smartpick.export.tables import list_xlsx
from smartpick.service.advise import advise
from smartpick.service.catalog import Catalog
from smartpick.service.listing import export_document, program_lines
from smartpick.testing import pdf_text_core_font, reference_profile

FM, IM = "Family Medicine", "Internal Medicine"


@pytest.fixture(scope="module")
def late_plan(catalog: Catalog) -> Plan:
    """low-score-late's plan, with its default list (IM and FM)."""
    return advise(reference_profile("low-score-late"), catalog=catalog, today=dt.date(2026, 11, 24))


@pytest.fixture(scope="module")
def late_list(catalog: Catalog) -> Recommendation:
    from smartpick.service.recommend import recommend

    return recommend(reference_profile("low-score-late"), catalog=catalog)


def test_the_contract_names_each_signal_as_its_specialty_does(late_list) -> None:
    doc = late_list.to_dict()
    names = {(row["specialty"], row["signal"], row["signal_name"]) for row in doc["programs"]}
    assert {(FM, "gold", "signal"), (IM, "gold", "gold"), (IM, "silver", "silver")} <= names
    assert not {n for n in names if n[0] == FM and n[2] in ("gold", "silver")}
    assert doc["signals"][FM]["in_words"] == "5 of 5 used"
    assert doc["signals"][IM]["in_words"] == "3 of 3 gold and 12 of 12 silver used"
    assert late_list.several_specialties


def test_the_list_sentences_call_a_family_medicine_signal_a_signal(late_list) -> None:
    lines, _ = program_lines(late_list)
    for item in late_list.programs:
        said = " ".join([*lines[item.program.id], *item.reasons])
        if item.signal == "none":
            continue
        if item.program.specialty == FM:
            assert "A signal raises your interview chance" in said and "gold" not in said
        else:
            assert f"A {item.signal} signal raises your interview chance" in said


def test_a_signal_effect_not_published_by_the_program_is_said_to_be_assumed(late_list) -> None:
    """Pine Ridge (IM) shows no interview rates by signal in 2026: its gold signal's effect is a
    typical program's, and its row says so; a program that shows them is not flagged."""
    lines, _ = program_lines(late_list)
    signalled = [item for item in late_list.programs if item.signal != "none"]
    for item in signalled:
        said = " ".join(lines[item.program.id])
        ev = item.program.interview_evidence
        published = ev is not None and ev.publishes_signal_rates
        assert ("a typical program's effect is used" in said) is not published, item.program.id
    pine_ridge = next(i for i in signalled if i.program.id == "1401100019C")
    assert "(assumed: it shows no interview rates by signal" in " ".join(
        lines[pine_ridge.program.id]
    )
    assert any(
        i.program.interview_evidence and i.program.interview_evidence.publishes_signal_rates
        for i in signalled
    )


def test_a_programs_weight_reads_the_same_in_its_reasons_and_its_sentences(late_list) -> None:
    """The contract's reasons and the row's sentences give a program's weight in the list to one
    decimal, and its signal's effect in the same words (the reasons said 1.41 and 0.6%)."""
    lines, _ = program_lines(late_list)
    for item in late_list.programs:
        said, reasons = " ".join(lines[item.program.id]), " ".join(item.reasons)
        weight = re.search(r"by (\d+\.\d) percentage points", said)
        if weight:
            assert f"would be {weight.group(1)} percentage points lower" in reasons
        else:
            assert "would be less than 0.1 percentage point lower" in reasons
        if item.signal != "none":
            effect = re.search(r"from (\S+(?: 1%)?) to (\d+%)", said)
            assert effect and f"interview chance {effect.group(1)} → {effect.group(2)}" in reasons


def test_the_workbook_names_signals_by_specialty(late_list, catalog) -> None:
    book = openpyxl.load_workbook(io.BytesIO(list_xlsx(export_document(late_list, catalog))))
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row[0]}
    assert summary[f"{FM}: signals"] == "5 of 5 used"
    assert summary[f"{IM}: signals"] == "3 of 3 gold and 12 of 12 silver used"
    rows = list(book["List"].iter_rows(values_only=True))
    specialty, signal = rows[0].index("Specialty"), rows[0].index("Signal")
    shown = {(r[specialty], r[signal]) for r in rows[1:]}
    assert (FM, "signal") in shown and (IM, "gold") in shown and (FM, "gold") not in shown


def test_the_pdf_list_shows_the_specialty_and_names_signals(late_plan) -> None:
    assert {item.program.specialty for item in late_plan.recommended} == {IM, FM}
    text = pdf_text_core_font(plan_pdf(late_plan, unicode_font=False))
    grid = text.split("Recommended list (", 1)[1].split("Notes and sources", 1)[0]
    assert "# Program Specialty State Tier Interview chance Signal Fee" in grid
    rows = [r for r in re.split(r"\$\d+", grid) if FM in r or IM in r]
    assert len(rows) == len(late_plan.recommended)
    fm_rows = [r for r in rows if FM in r]
    assert any(" signal " in r for r in fm_rows)
    assert not any(" gold " in r or " silver " in r for r in fm_rows)


def test_the_workbooks_why_is_sentences_not_a_run_on(late_list, catalog) -> None:
    """Each line of a row's "why" ends with a full stop in the workbook (the model's reasons
    have none of their own), so one reason does not run into the next."""
    book = openpyxl.load_workbook(io.BytesIO(list_xlsx(export_document(late_list, catalog))))
    rows = list(book["List"].iter_rows(values_only=True))
    why = rows[0].index("Why")
    texts = [r[why] for r in rows[1:] if r[why]]
    assert texts and all(t.endswith((".", "!", "?")) for t in texts)
    assert not any(re.search(r"\) [A-Z]", t) for t in texts)  # "(source) Next reason"
