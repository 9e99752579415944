"""AAMC Residency Explorer 2021 (the merged table of the NYCDSA project): all 26 specialty-tracks."""

from __future__ import annotations

from collections import defaultdict

from catalog_build.draft import Claim, ProgramDrafts, program_id
from catalog_build.parsing import rows, to_float, to_int, website, yes_no
from smartpick.catalog.sources import AAMC, BOARDS
from smartpick.core.specialties import from_aamc

# Board pass-rate column of the AAMC table that belongs to each specialty's categorical track.
# The table carries every board's rate on every row of an institution; only the matching
# board's rate describes the program.
BOARD_COLUMN = {
    "Internal Medicine": "Internal medicine board pass rate",
    "Family Medicine": "Family medicine board pass rate",
    "Pediatrics": "Pediatrics board pass rate",
    "Surgery-General": "Surgery board pass rate",
}
SETTING = {
    "University Hospital": "university",
    "Affiliated Hospital": "university_affiliated_community",
    "Community Hospital": "community",
    "Military": "military",
}
STEP1_RANGE = {
    "Below 210": "<210",
    "210-225": "210-225",
    "226-235": "226-235",
    "236-245": "236-245",
    "Greater than 245": ">245",
}
VISA_COLUMNS = (
    ("visa_j1", "Program consider applicants with J-1 visa?"),
    ("visa_h1b", "Program consider applicants with H-1B visa?"),
    ("visa_f1", "Program consider applicants with F-1 Visa (OPT 1st year)?"),
)
SHARE_COLUMNS = (
    ("pct_non_us_img", "Percentage of residents who were non-US-citizen IMGs"),
    ("pct_us_img", "Percentage of residents who were US-citizen IMGs"),
    ("pct_us_md", "Percentage of residents who were US MD graduates"),
    ("pct_do", "Percentage of residents who were US DO graduates"),
)
CATEGORICAL_POSITIONS = (
    "# of categorical positions offered by this program in the 2021 NRMP Main Match"
)
ALL_POSITIONS = "# of positions offered by this program in the 2021 NRMP Main Match"


def add(drafts: ProgramDrafts) -> None:
    """Add every AAMC 2021 row; learn which ACGME code prefix belongs to which specialty."""
    path = drafts.raw / "nycdsa_aamc_2021" / "objects" / "dat.csv"
    prefixes: dict[str, set[str]] = defaultdict(set)
    for row in rows(path):
        spec, track = from_aamc(row["Specialty"])
        code = row["ID"][:10]
        prefixes[code[:3]].add(spec.name)
        d = drafts.draft(code, spec.name, track)
        d.names.append(Claim(row["Residency program name"], AAMC, 2021))
        add = d.add
        add("city", row["City"], AAMC, 2021)
        add("state", row["State"], AAMC, 2021)
        add("setting", SETTING.get(row["Program setting"]), AAMC, 2021)
        cat = to_int(row[CATEGORICAL_POSITIONS])
        total = to_int(row[ALL_POSITIONS])
        add("pgy1_positions", cat if cat is not None else total, AAMC, 2021)
        if total is not None:
            d.aux["positions_offered_2021"] = total
        for fname, col in VISA_COLUMNS:
            answer = yes_no(row[col])
            add(fname, None if answer is None else ("yes" if answer else "no"), AAMC, 2021)
        for fname, col in SHARE_COLUMNS:
            add(fname, to_float(row[col]), AAMC, 2021)
        add(
            "applications_received",
            to_int(row["# of applications submitted to this program in 2021"]),
            AAMC,
            2021,
        )
        add(
            "pct_interviewed",
            to_float(row["% of applicants interviewed by the program in 2020"]),
            AAMC,
            2020,
        )
        add("total_residents", to_int(row["Total # Residents on Duty"]), AAMC, 2021)
        add(
            "step1_range",
            STEP1_RANGE.get(row["Range of average USMLE Step 1 score of current residents"]),
            AAMC,
            2021,
        )
        add("eras", yes_no(row["Participates in ERAS"]), AAMC, 2021)
        add("nrmp", yes_no(row["Participates in the NRMP Main Match"]), AAMC, 2021)
        add("latitude", to_float(row["latitude"], 5), AAMC, 2021)
        add("longitude", to_float(row["longitude"], 5), AAMC, 2021)
        add("accreditation", row["Program accreditation status"], AAMC, 2021)
        add("website", website(row["Program website"]), AAMC, 2021)
        board = BOARD_COLUMN.get(spec.name)
        if board and track == "categorical":
            rate = to_float(row[board], 3)
            add("board_pass_rate", None if rate is None else round(rate * 100, 1), BOARDS, 2020)
    drafts.prefix_specialty = {p: next(iter(s)) for p, s in prefixes.items() if len(s) == 1}
    _split_preliminary_positions(drafts)


def _split_preliminary_positions(drafts: ProgramDrafts) -> None:
    """AAMC's preliminary-track row gives the program's total positions (C + P).

    The preliminary positions are that total minus the categorical row's positions (e.g.
    Brookwood Baptist IM: 14 - 10 = 4, which is NRMP 2020's preliminary quota).
    """
    for d in drafts.drafts.values():
        if d.track != "preliminary":
            continue
        cat = drafts.drafts.get(program_id(d.acgme_code, d.specialty, "categorical"))
        total = d.aux.get("positions_offered_2021")
        cat_total = cat.aux.get("positions_offered_2021") if cat else None
        if cat is not None:
            note = (
                "AAMC 2021 reports residents (number and shares), applications, % interviewed, "
                "visas and Step 1 range once per program: they cover the categorical and "
                "preliminary tracks together."
            )
            d.notes.append(note)
            cat.notes.append(note)
        d.claims.pop("pgy1_positions", None)
        d.aux.pop("positions_offered_2021", None)
        if total is None or cat_total is None or total < cat_total:
            d.notes.append(
                "Preliminary positions unknown: AAMC 2021 gives only the program's total."
            )
            continue
        d.add("pgy1_positions", total - cat_total, AAMC, 2021)
        d.aux["positions_offered_2021"] = total - cat_total
