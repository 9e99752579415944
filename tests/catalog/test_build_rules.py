"""The build's merge rules and parsers, on small hand-made inputs and generated ones."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog_build.draft import Claim, Draft, ProgramDrafts
from catalog_build.ocr import clean_ocr_city, clean_ocr_name
from catalog_build.parsing import website
from catalog_build.resolve import resolve
from catalog_build.sources import freida2025
from catalog_build.sources.freida2025 import freida_visas
from catalog_build.sources.nrmp_names import Code, best_match, tokens
from smartpick.catalog.importer import normalize_program_id
from smartpick.core.geography import state_code

claims = st.lists(
    st.builds(
        Claim,
        value=st.one_of(st.integers(0, 5), st.sampled_from(["yes", "no", "none_listed"])),
        source=st.sampled_from(["aamc2021", "freida2025", "acgme_obgyn2023", "nrmp2020"]),
        year=st.integers(2019, 2026),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=60)
@given(claims)
def test_newest_value_is_shown_and_every_differing_older_value_is_kept(cs: list[Claim]) -> None:
    d = Draft("0000000001", "0000000001", "Neurology", "categorical")
    d.names.append(Claim("X Program", "aamc2021", 2021))
    d.claims["pgy1_positions"] = list(cs)
    value, source, year = resolve(d)["f"]["pgy1_positions"]
    assert year == max(c.year for c in cs)
    assert any((c.value, c.source, c.year) == (value, source, year) for c in cs)
    kept = {v for v, _, _ in resolve(d)["c"].get("pgy1_positions", [])}
    assert kept == {c.value for c in cs} - {value}


def test_freida_visa_lists() -> None:
    assert freida_visas("[]") == {
        "visa_j1": "none_listed",
        "visa_h1b": "none_listed",
        "visa_f1": "none_listed",
    }
    assert freida_visas("['J-1 through ECFMG', 'F-1']") == {
        "visa_j1": "yes",
        "visa_h1b": "no",
        "visa_f1": "yes",
    }
    dict_form = "[{'value': 'H-1B', 'label': 'H-1B visa'}]"
    assert freida_visas(dict_form) == {"visa_j1": "no", "visa_h1b": "yes", "visa_f1": "no"}


def test_ocr_repairs() -> None:
    assert clean_ocr_city("onolulu", {"Honolulu", "Hilo"}) == ("Honolulu", True)
    assert clean_ocr_city("maha", {"Omaha", "Lincoln"}) == ("Omaha", True)
    assert clean_ocr_city("YORK", {"York"}) == ("York", True)
    assert clean_ocr_city("wasco", set()) == ("Wasco", True)
    assert clean_ocr_city("Tampa", {"Tampa"}) == ("Tampa", False)
    assert clean_ocr_name("Carrollton Regional Medical Center An Program") == (
        "Carrollton Regional Medical Center Program",
        True,
    )
    assert clean_ocr_name("Mercy Hospital Springfield Program") == (
        "Mercy Hospital Springfield Program",
        False,
    )


def test_website_drops_email_addresses() -> None:
    assert website("someone@example.org") is None
    assert website("www.gme@mchs.com") is None
    assert website("www.example.org/im") == "http://www.example.org/im"
    assert website("https://example.org") == "https://example.org"
    assert website("") is None


@given(st.from_regex(r"\A[0-9]{1,10}[CP]?\Z"))
def test_program_id_normalization_is_idempotent_and_restores_zeros(text: str) -> None:
    once = normalize_program_id(text)
    assert normalize_program_id(once) == once
    assert len(once.rstrip("CP")) == 10 and once.rstrip("CP").lstrip("0") == text.rstrip(
        "CP"
    ).lstrip("0")


def test_program_with_a_new_code_is_matched_by_name_and_state(tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "raw" / "freida_im_2025_scapper"
    folder.mkdir(parents=True)
    header = (
        "program_id,program_name_suffix,city,state,program_best_described_as,first_year_positions,"
        "interviews_conducted_last_year,pct_do,pct_usmd,pct_img,participates_in_eras,"
        "accepting_applications_2026_2027,website,visa_statuses_accepted\n"
    )
    (folder / "freida_programs_output_with_academic_year.csv").write_text(
        header + "1409999999,Example Medical Center Program,Town,OH,Community-based,12.0,100.0,"
        "1,2,97,True,True,,\"['H-1B']\"\n",
        encoding="utf-8",
    )
    drafts = ProgramDrafts(tmp_path)
    old = drafts.draft("1401111111", "Internal Medicine", "categorical")
    old.names.append(Claim("Example Medical Center Program", "aamc2021", 2021))
    old.add("state", "OH", "aamc2021", 2021)
    old.add("visa_j1", "yes", "aamc2021", 2021)
    freida2025.add(drafts)
    report = drafts.report["internal_medicine_categorical"]
    assert (report["matched_by_name"], report["freida_only"], report["aamc_only"]) == (1, 0, 0)
    assert set(drafts.drafts) == {"1409999999C"}
    rec = resolve(drafts.drafts["1409999999C"])
    assert rec["f"]["visa_j1"] == ["no", "freida2025", 2025]
    assert rec["c"]["visa_j1"] == [["yes", "aamc2021", 2021]]
    assert any("1401111111" in n for n in rec["data_notes"])


def test_nrmp_name_tokens_and_best_match() -> None:
    assert tokens("U Kansas SOM-Kansas City (Continued)") == {"kansas", "city"}
    assert tokens("Brigham & Womens Hosp") == {"brigham", "women"}
    wv = [
        ("wvu", tokens("West Virginia University Program")),
        ("cam", tokens("Charleston Area Medical Center/West Virginia University Program")),
    ]
    assert best_match(tokens("West Virginia U"), wv)[0] == "wvu"
    sites = [
        ("main", tokens("University of Chicago Program")),
        ("ns", tokens("University of Chicago (NorthShore) Program")),
    ]
    assert best_match(tokens("U Chicago"), sites, frozenset(tokens("NorthShore")))[0] == "ns"
    assert best_match(tokens("U Chicago"), sites)[0] == "main"  # no site word: the main program
    assert best_match(tokens("Mayo Clinic"), sites)[0] is None
    code = Code.parse("1903140P1")
    assert code is not None and code.specialty_digits == "140"
    assert code.track("Internal Medicine", ("Internal Medicine",)) == "preliminary"
    assert Code.parse("46040C0") is None


def test_state_names_come_from_the_geography_table() -> None:
    assert state_code("New York") == "NY"
    assert state_code(" district of  columbia ") == "DC"
    assert state_code("Puerto Rico") == "PR"
    assert state_code("Atlantis") is None


def test_runtime_package_never_imports_the_build_code() -> None:
    import smartpick

    root = Path(smartpick.__file__).parent
    offenders = [p.name for p in root.rglob("*.py") if "catalog_build" in p.read_text("utf-8")]
    assert offenders == []
