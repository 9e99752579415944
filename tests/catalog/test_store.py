"""The bundled catalog through the service API: coverage, lookups, provenance, conflicts."""

from __future__ import annotations

import pytest

from smartpick.core.specialties import SPECIALTIES
from smartpick.errors import InvalidInput, NotFound
from smartpick.service.catalog import Catalog, program_to_dict


def test_internal_medicine_categorical_has_at_least_650_programs(catalog: Catalog) -> None:
    assert len(catalog.programs("Internal Medicine", "categorical")) >= 650


def test_all_26_aamc_specialty_tracks_have_programs(catalog: Catalog) -> None:
    tracks = {(p.specialty, p.track) for p in catalog.programs()}
    expected = {
        (s.name, "preliminary" if n.endswith("Preliminary Track") else "categorical")
        for s in SPECIALTIES
        for n in s.aamc_names
    }
    assert len(expected) == 26
    assert expected <= tracks


def test_get_unknown_program_raises_not_found_with_track_hint(catalog: Catalog) -> None:
    with pytest.raises(NotFound, match="1405100435C"):
        catalog.get("1405100435")
    with pytest.raises(NotFound):
        catalog.get("0000000000")


def test_spot_check_inova_fairfax_against_raw_files(catalog: Catalog) -> None:
    p = catalog.get("1405100435C")
    # FREIDA 2025 row: 13 positions, IMG 3.2%, visas J-1/H-1B/F-1, community university-affiliated.
    # Residency Explorer 2026: 13 positions offered (the newer source; FREIDA says the same).
    assert p.pgy1_positions.value == 13
    assert p.pgy1_positions.source == "AAMC Residency Explorer, 2026 cycle"
    assert p.pct_img_any.value == 3.2
    assert (p.visa_j1.value, p.visa_f1.value) == ("yes", "yes")
    # Residency Explorer 2026 shows no H-1B sponsorship: shown, FREIDA's "yes" kept as conflict.
    assert (p.visa_h1b.value, p.visa_h1b.year) == ("no", 2026)
    assert ("yes", "FREIDA 2025") in [(c.value, c.source) for c in p.visa_h1b.conflicts]
    assert p.setting.value == "university_affiliated_community"
    # AAMC 2021 said 11 positions: kept as a conflict, not lost.
    assert [(c.value, c.source, c.year) for c in p.pgy1_positions.conflicts] == [
        (11, "AAMC Residency Explorer 2021", 2021)
    ]
    assert (p.region.value, p.division.value) == ("South", "South Atlantic")


def test_spot_check_aamc_anesthesiology_row(catalog: Catalog) -> None:
    p = catalog.get("0401621040")
    assert p.specialty == "Anesthesiology" and p.track == "categorical"
    assert p.visa_j1.value == "yes" and p.visa_h1b.value == "no"
    assert p.pct_us_img.value == 39.0 and p.pct_non_us_img.value == 32.0
    assert p.step1_range.value == "210-225"
    assert p.setting.value == "university_affiliated_community"
    assert p.latitude.value == pytest.approx(41.93676, abs=1e-4)
    # Anesthesiology: 6 categorical (PGY-1) positions; the 2 advanced ones start at PGY-2.
    assert p.pgy1_positions.value == 6


def test_freida_empty_visa_list_is_none_listed_and_keeps_aamc_answer(catalog: Catalog) -> None:
    both = [
        p
        for p in catalog.programs("Internal Medicine", "categorical")
        if p.visa_j1.value == "none_listed"
        and p.visa_j1.source == "FREIDA 2025"
        and any(c.source == "AAMC Residency Explorer 2021" for c in p.visa_j1.conflicts)
    ]
    said = [c.value for p in both for c in p.visa_j1.conflicts]
    # README: of the 108 such programs AAMC also covers, 95 said no and 13 said yes.
    assert (said.count("no"), said.count("yes")) == (95, 13)


def test_freida_no_j1_conflicts_with_aamc_yes_is_visible(catalog: Catalog) -> None:
    flips = [
        p
        for p in catalog.programs("Internal Medicine", "categorical")
        if p.visa_h1b.value == "no"
        and any(c.value == "yes" and "AAMC" in (c.source or "") for c in p.visa_h1b.conflicts)
    ]
    assert flips
    d = program_to_dict(flips[0])["fields"]["visa_h1b"]
    assert d["value"] == "no" and d["source"] == "FREIDA 2025" and d["year"] == 2025
    assert {"value": "yes", "source": "AAMC Residency Explorer 2021", "year": 2021} in d[
        "conflicts"
    ]


def test_unknown_stays_unknown(catalog: Catalog) -> None:
    p = catalog.get("1401100004C")  # FREIDA-only program without IMG shares or 2026 data
    assert p.pct_img_any.value is None and p.pct_img_any.source is None
    assert p.pct_non_us_img.value is None


def test_program_to_dict_has_every_field_with_provenance(catalog: Catalog) -> None:
    d = program_to_dict(catalog.get("0401621040"))
    assert {"program_id", "acgme_code", "name", "specialty", "track", "fields"} <= d.keys()
    for fact in d["fields"].values():
        assert set(fact) == {"value", "source", "year", "conflicts"}
        assert (fact["value"] is None) == (fact["source"] is None)


def test_search_filters_and_errors(catalog: Catalog) -> None:
    found = catalog.search(specialty="Internal Medicine", state="ny", visa="H-1B", limit=500)
    assert found and all(p.state.value == "NY" and p.visa_h1b.value == "yes" for p in found)
    with pytest.raises(InvalidInput, match="region"):
        catalog.search(region="Nowhere")
    with pytest.raises(InvalidInput, match="min_non_us_img_pct"):
        catalog.search(min_non_us_img_pct=120)


def test_nrmp_2020_national_results_joined_by_institution_and_state(catalog: Catalog) -> None:
    # Raw: "Brookwood Baptist Health-AL, Internal Medicine, 1903140C0, 10, 10" and
    # "Med-Prelim/UAB PM&R, 1903140P1, 4, 3".
    cat = catalog.get("1400121020C").nrmp_results
    assert [(r.year, r.quota, r.matched) for r in cat] == [(2020, 10, 10)]
    assert cat[0].source == "NRMP Main Match 2020 program results"
    prelim = catalog.get("1400121020P").nrmp_results
    assert [(r.year, r.quota, r.matched) for r in prelim] == [(2020, 4, 3)]


def test_florida_nrmp_results_by_year_sum_the_programs_codes(catalog: Catalog) -> None:
    # Raw: AdventHealth Florida, Orlando, IM 1102140C0 (2026: 14/14) + Medicine-Primary
    # 1102140M0 (2026: 2/2); Sebring IM 1102140C1 is a separate program (15/15).
    orlando = {r.year: (r.quota, r.matched) for r in catalog.get("1401131539C").nrmp_results}
    assert orlando[2026] == (16, 16)
    sebring = {r.year: (r.quota, r.matched) for r in catalog.get("1401100962C").nrmp_results}
    assert sebring[2026] == (15, 15) and 2021 not in sebring  # 0/0 = not offered
    p = catalog.get("1401131539C")
    assert p.institution.value == "AdventHealth Florida" and p.nrmp.year == 2026


def test_new_program_from_ocr_list_is_added_and_repaired(catalog: Catalog) -> None:
    p = catalog.get("1801400001")  # "onolulu" in the source
    assert p.city.value == "Honolulu" and p.specialty == "Neurology"
    assert any("garbled" in n for n in p.data_notes)
    lafayette = catalog.get("1402100004C")
    assert lafayette.name == "Ochsner Lafayette General Medical Center Program"


def test_preliminary_positions_are_program_total_minus_categorical(catalog: Catalog) -> None:
    # AAMC 2021: the P row says 14 (the program's total), the C row 10 → 4 preliminary,
    # which is exactly NRMP 2020's preliminary quota for the program.
    p = catalog.get("1400121020P")
    assert p.pgy1_positions.value == 4
    agree = total = 0
    for prelim in catalog.programs("Internal Medicine", "preliminary"):
        r2020 = [r for r in prelim.nrmp_results if r.year == 2020]
        if r2020 and prelim.pgy1_positions.value is not None:
            total += 1
            agree += abs(prelim.pgy1_positions.value - r2020[0].quota) <= 2
    assert total > 100 and agree / total > 0.8
