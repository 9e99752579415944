"""Residency Explorer 2026 in the catalog: the join, the merge, and the interview evidence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from catalog_build.draft import Claim, ProgramDrafts
from catalog_build.sources import residency_explorer2026
from catalog_build.sources.freida2025 import NOT_IN_FREIDA_NOTE
from catalog_build.sources.re2026_evidence import evidence_record
from catalog_build.sources.residency_explorer2026 import tidy_city, tidy_name
from smartpick.catalog.records import evidence_from
from smartpick.catalog.store import bundled_report
from smartpick.core.programs import RateCount, ScoreRange
from smartpick.service.catalog import Catalog

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
RAW = SHARED_DATA / "raw" / "residency_explorer_2026"
needs_data = pytest.mark.skipif(not RAW.is_dir(), reason="../shared/data absent")
SOURCE = "AAMC Residency Explorer, 2026 cycle"


def _line(**changes: Any) -> dict[str, Any]:
    """A Residency Explorer line in the IM layout (values made up), with changes."""
    row: dict[str, Any] = {
        "file": "im",
        "acgme_code": "1409900001",
        "name": "Example Medical Center Program",
        "city": "Town",
        "state": "OH",
        "setting": "Community-based",
        "total_residents": 30,
        "visa": {"h1b": False},
        "offered_2026": 10,
        "filled_2026": 9,
        "apps": [0, 900, 1000, 1100, 1200],
        "invited_2026": 100,
        "interview_rate_pct": 8.3,
        "invited_mix": {"US MD": 40, "US DO": 30, "US IMG": 10, "Non-US IMG": 20},
        "ir_type": [40, 30, 5, 0],
        "n_type": [100, 100, 200, 800],
        "s2_invited": {
            "All": [220, 230, 240, 250, 260, 1],
            "MD": [225, 235, 245, 255, 265, 3],
            "DO": [None, None, None, None, None, 2],
            "USIMG": [None, None, None, None, None, None],
        },
        "signal": {"Gold Sent": 50, "Silver Sent": None, "Did Not Send": 0},
        "signal_n": {"countSentGold": 10, "countSentSilver": 0, "countDidNotSend": 1190},
        "geo": {"Aligned": None, "Not Aligned": None, "No Preference": None},
        "geo_n": {"countAligned": 0, "countNotAligned": 0, "countNoPreference": 0},
        "home_state": {"In-State": 20, "Out-of-State": 7},
        "home_state_n": {"countAligned": 100, "countNotAligned": 1100},
        "step1_fail": {"Never Failed": 9, "Ever Failed": 2},
        "step1_fail_n": {"countEverFailed": 100, "countNeverFailed": 1100},
        "step2_fail": {"Never Failed": 9, "Ever Failed": 0},
        "step2_fail_n": {"countEverFailed": 50, "countNeverFailed": 1150},
        "residents": {"US MD Graduates": 20, "US DO Graduates": 30, "US-IMG": 10, "Non-US IMG": 40},
        "prior_gme_required": "No",
        "accreditation_status": None,
    }
    row.update(changes)
    return row


def test_evidence_keeps_published_zeros_and_leaves_unknowns_out() -> None:
    ev = evidence_from(evidence_record(_line(), "aamc2026", 2026))
    assert ev is not None and ev.source == SOURCE and ev.year == 2026
    assert ev.by_type["non_us_img"] == RateCount(0.0, 800)  # published 0 of 800: stays 0
    assert ev.by_type["us_md"] == RateCount(0.4, 100)
    assert ev.signal["gold"] == RateCount(0.5, 10)
    assert "silver" not in ev.signal  # no rate, no applicants: the site shows nothing
    assert ev.signal["none"] == RateCount(0.0, 1190)
    assert dict(ev.geographic) == {}  # every geographic cell blank
    assert ev.step2ck_failed["ever"] == RateCount(0.0, 50)
    assert ev.step2ck_invited["all"] == ScoreRange(220, 230, 240, 250, 260, True)
    assert ev.step2ck_invited["us_md"].reliable is False  # status 3
    assert set(ev.step2ck_invited) == {"all", "us_md"}  # status 2 and blank groups left out
    assert ev.interview_rate_all == pytest.approx(0.083) and ev.invited == 100
    assert dict(ev.invited_mix) == {"us_md": 0.4, "us_do": 0.3, "us_img": 0.1, "non_us_img": 0.2}
    assert dict(ev.applications_by_year) == {2022: 0, 2023: 900, 2024: 1000, 2025: 1100, 2026: 1200}
    assert (ev.positions_offered, ev.positions_filled, ev.prior_gme_required) == (10, 9, False)
    assert hash(ev) == hash(evidence_from(evidence_record(_line(), "aamc2026", 2026)))


def test_family_medicine_layout_signals_sent_or_not() -> None:
    fm = _line(
        signal={"Sent": 30, "Did Not Send": 2},
        signal_n={"countSent": 100, "countDidNotSend": 900},
        invited_2026=None,
        interview_rate_pct=None,
        invited_mix=None,
        prior_gme_required="--",
    )
    ev = evidence_from(evidence_record(fm, "aamc2026", 2026))
    assert ev is not None
    assert dict(ev.signal) == {"sent": RateCount(0.3, 100), "none": RateCount(0.02, 900)}
    assert (ev.invited, ev.interview_rate_all, ev.prior_gme_required) == (None, None, None)
    assert dict(ev.invited_mix) == {}


def test_new_program_names_and_cities_are_tidied() -> None:
    name = (
        "BAYCARE HEALTH SYSTEM (ST. JOSEPH'S HOSPITAL-SOUTH/TAMPA FAMILY HEALTH CENTERS) "
        "PROGRAM - Family Medicine, Riverview, FL"
    )
    assert tidy_name(name, "Family Medicine", "Riverview", "FL") == (
        "Baycare Health System (St. Joseph's Hospital-South/Tampa Family Health Centers) Program",
        True,
    )
    assert tidy_name("Mercy Program", "Family Medicine", "X", "OH") == ("Mercy Program", False)
    assert tidy_city("Lee\u2019s Summit") == "Lee's Summit"
    assert tidy_city("JONESBORO") == "Jonesboro"


def _write_file(tmp_path: Path, lines: list[dict[str, Any]]) -> ProgramDrafts:
    folder = tmp_path / "raw" / "residency_explorer_2026"
    folder.mkdir(parents=True)
    (folder / "im.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    (folder / "fm.jsonl").write_text("")
    return ProgramDrafts(tmp_path)


def test_join_adds_merges_and_rejects_with_reasons(tmp_path: Path) -> None:
    drafts = _write_file(
        tmp_path,
        [
            _line(),
            _line(acgme_code="1409900002", visa={"h1b": True}),
            _line(acgme_code="140990003"),  # 9 digits
            _line(acgme_code="1209900004"),  # a Family Medicine code in the IM file
            _line(acgme_code="1409900002"),  # repeated
            _line(acgme_code="1409900005", state="ZZ"),
            _line(acgme_code="1409900006", ir_type=[1, 2, 3]),
        ],
    )
    old = drafts.draft("1409900002", "Internal Medicine", "categorical")
    old.names.append(Claim("Older Name Program", "freida2025", 2025))
    old.add("state", "OH", "freida2025", 2025)
    old.add("visa_h1b", "none_listed", "freida2025", 2025)
    old.add("pct_non_us_img", 12.0, "aamc2021", 2021)
    old.notes.append(NOT_IN_FREIDA_NOTE)
    residency_explorer2026.add(drafts)
    report = drafts.report["residency_explorer_2026"]["im"]
    assert (report["rows"], report["matched_by_code"], report["added"]) == (7, 1, 1)
    assert report["added_ids"] == ["1409900001C"]
    assert set(report["rejected"]) == {
        "ACGME code is not 10 digits",
        "ACGME code is not of this specialty (prefix 140)",
        "ACGME code repeated in the file",
        "state is not a US state code",
        "unexpected layout (ValueError: ir_type and n_type need one value per applicant type)",
    }
    merged = drafts.drafts["1409900002C"]
    assert merged.newest("visa_h1b") == "yes"
    assert {c.value for c in merged.claims["visa_h1b"]} == {"yes", "none_listed"}
    assert merged.newest("pct_non_us_img") == 40.0
    assert merged.names[0].value == "Older Name Program"  # identity of a known program kept
    assert NOT_IN_FREIDA_NOTE not in merged.notes
    changes = drafts.report["residency_explorer_2026"]["visa_changes"]["visa_h1b"]
    assert changes == {"freida2025": {"none_listed -> yes": 1}}
    created = drafts.report["residency_explorer_2026"]["conflicts_created"]
    assert created["visa_h1b"] == 1 and created["pct_non_us_img"] == 1
    added = drafts.drafts["1409900001C"]
    assert added.newest("city") == "Town" and added.interview_evidence is not None
    assert residency_explorer2026.ADDED_NOTE in added.notes


# --- the bundled catalog --------------------------------------------------------------------


def test_the_58_percent_program_that_invited_no_non_us_img(catalog: Catalog) -> None:
    p = catalog.get("1401200932C")  # Northeast Georgia Medical Center, IM
    assert (p.pct_non_us_img.value, p.pct_non_us_img.source) == (58.0, SOURCE)
    assert [(c.value, c.year) for c in p.pct_non_us_img.conflicts] == [(40.0, 2021)]
    ev = p.interview_evidence
    assert ev is not None and ev.source == SOURCE and ev.year == 2026
    assert ev.by_type["non_us_img"] == RateCount(0.0, 2872)
    assert ev.signal["gold"].rate == 0.36 and ev.positions_filled == 20


def test_rates_are_fractions_and_never_zero_for_unknown(catalog: Catalog) -> None:
    evidence = [p.interview_evidence for p in catalog.programs() if p.interview_evidence]
    assert len(evidence) == 1004
    zeros = 0
    for ev in evidence:
        for table in (ev.by_type, ev.signal, ev.geographic, ev.home_state, ev.step1_failed):
            for rc in table.values():
                assert rc.rate is None or 0.0 <= rc.rate <= 1.0
                assert rc.applicants is not None and (rc.applicants > 0 or rc.rate is None)
                zeros += rc.rate == 0.0
    assert zeros > 100  # published zeros are kept as zeros


def test_a_program_placed_in_another_state_by_2026_data_is_moved(catalog: Catalog) -> None:
    p = catalog.get("1400500014C")  # FREIDA 2025 put it in Saint Louis, MO
    assert (p.state.value, p.city.value, p.state.year) == ("CA", "Palmdale", 2026)
    assert [c.value for c in p.state.conflicts] == ["MO"]
    assert any("Palmdale, CA" in n for n in p.data_notes)
    assert p.latitude.value is None or p.latitude.value < 42.0


def test_added_programs_have_identity_and_a_note(catalog: Catalog) -> None:
    report = bundled_report()["residency_explorer_2026"]
    added = report["im"]["added_ids"] + report["fm"]["added_ids"]
    assert len(added) == report["im"]["added"] + report["fm"]["added"] > 0
    for pid in added:
        p = catalog.get(pid)
        assert p.state.source == SOURCE and p.city.value and p.interview_evidence is not None
        assert any("Known only from AAMC Residency Explorer 2026" in n for n in p.data_notes)


def test_report_accounts_for_every_line() -> None:
    report = bundled_report()["residency_explorer_2026"]
    for key in ("im", "fm"):
        part = report[key]
        rejected = sum(len(v) for v in part["rejected"].values())
        assert part["matched_by_code"] + part["added"] + rejected == part["rows"]


@needs_data
def test_every_line_is_in_the_catalog_as_published(catalog: Catalog) -> None:
    for key, suffix in (("im", "C"), ("fm", "")):
        for line in (RAW / f"{key}.jsonl").read_text("utf-8").splitlines():
            row = json.loads(line)
            ev = catalog.get(row["acgme_code"] + suffix).interview_evidence
            assert ev is not None
            for i, kind in enumerate(("us_md", "us_do", "us_img", "non_us_img")):
                rc = ev.by_type[kind]
                assert rc.applicants == row["n_type"][i]
                assert rc.rate == pytest.approx(row["ir_type"][i] / 100)
            assert ev.positions_offered == row["offered_2026"]
            assert ev.applications_by_year[2026] == row["apps"][4]
