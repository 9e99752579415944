"""FREIDA 2025 (AMA), Internal Medicine categorical programs; merged with AAMC 2021 by code, then name."""

from __future__ import annotations

import ast

from catalog_build.draft import Claim, Draft, ProgramDrafts, program_id
from catalog_build.parsing import normalize_name, rows, to_float, to_int, website, yes_no
from smartpick.catalog.sources import ACGME_CODE, FREIDA

SETTING = {
    "University-based": "university",
    "Community-based university affiliated": "university_affiliated_community",
    "Community-based": "community",
    "Military-based": "military",
}
VISA = {"J-1 through ECFMG": "visa_j1", "H-1B": "visa_h1b", "F-1": "visa_f1"}
IM = "Internal Medicine"
# Said of an AAMC 2021 IM program that FREIDA 2025 does not list (a 2026 listing lifts the doubt).
NOT_IN_FREIDA_NOTE = (
    "Not listed in FREIDA 2025: the program may have closed, merged or changed its ACGME code "
    "since 2021."
)


# FREIDA 2025 rows whose place contradicts both the program's ACGME code (its state digits) and its
# own website: the state is the code's, the city is left unknown (no map dot), with a note.
MISPLACED = {
    "1403300539": (
        "NJ",
        "FREIDA 2025 places this program in Andover, Kansas, but its ACGME code and its website "
        "place it in New Jersey: its state is taken from the code and its city is unknown.",
    ),
}


def freida_visas(text: str) -> dict[str, str]:
    """FREIDA's accepted-visa list → yes / no per visa; an empty list is "none_listed"."""
    items = ast.literal_eval(text) if text else []
    values = {i["value"] if isinstance(i, dict) else str(i) for i in items}
    if not values:
        return {f: "none_listed" for f in VISA.values()}
    return {fname: ("yes" if label in values else "no") for label, fname in VISA.items()}


def add(drafts: ProgramDrafts) -> None:
    """IM categorical programs from FREIDA 2025; merged with AAMC by code, then by name."""
    path = drafts.raw / "freida_im_2025_scapper" / "freida_programs_output_with_academic_year.csv"
    by_code: dict[str, dict[str, str]] = {}
    for row in rows(path):
        # One duplicated program_id in the file; the two rows are identical.
        by_code.setdefault(row["program_id"].zfill(10), row)
    aamc_im = {
        d.acgme_code: d
        for d in drafts.drafts.values()
        if d.specialty == IM and d.track == "categorical"
    }
    matched = [c for c in by_code if c in aamc_im]
    freida_only = [c for c in by_code if c not in aamc_im]
    aamc_only = [c for c in aamc_im if c not in by_code]
    by_name = _recoded(drafts, by_code, aamc_im, freida_only, aamc_only)
    for code in sorted(aamc_only):
        if code not in by_name.values():
            aamc_im[code].notes.append(NOT_IN_FREIDA_NOTE)
    for code in sorted(by_code):
        _add_row(drafts, code, by_code[code])
    drafts.report["internal_medicine_categorical"] = {
        "freida_rows": len(by_code),
        "aamc_rows": len(aamc_im),
        "matched_by_code": len(matched),
        "matched_by_name": len(by_name),
        "freida_only": len(freida_only) - len(by_name),
        "aamc_only": len(aamc_only) - len(by_name),
        "matched_by_name_codes": {k: by_name[k] for k in sorted(by_name)},
    }


def _recoded(
    drafts: ProgramDrafts,
    by_code: dict[str, dict[str, str]],
    aamc_im: dict[str, Draft],
    freida_only: list[str],
    aamc_only: list[str],
) -> dict[str, str]:
    """Programs whose ACGME code changed between 2021 and 2025 (same name and state).

    The AAMC draft is moved under the new code; returns new code → old code.
    """
    key = {
        c: (normalize_name(aamc_im[c].names[0].value), aamc_im[c].newest("state"))
        for c in aamc_only
    }
    by_key = {v: c for c, v in key.items() if list(key.values()).count(v) == 1}
    by_name: dict[str, str] = {}
    for code in freida_only:
        k = (normalize_name(by_code[code]["program_name_suffix"]), by_code[code]["state"])
        if k in by_key:
            by_name[code] = by_key.pop(k)
    for new_code, old_code in sorted(by_name.items()):
        old = drafts.drafts.pop(program_id(old_code, IM, "categorical"))
        merged = drafts.draft(new_code, IM, "categorical")
        merged.names.extend(old.names)
        merged.aux.update(old.aux)
        for fname, claims in old.claims.items():
            merged.claims[fname].extend(claims)
        merged.notes.append(f"AAMC 2021 listed this program under ACGME code {old_code}.")
    return by_name


def _add_row(drafts: ProgramDrafts, code: str, row: dict[str, str]) -> None:
    d = drafts.draft(code, IM, "categorical")
    d.names.append(Claim(row["program_name_suffix"], FREIDA, 2025))
    add = d.add
    if code in MISPLACED:
        state, note = MISPLACED[code]
        add("state", state, ACGME_CODE, 2025)
        d.notes.append(note)
    else:
        add("city", row["city"], FREIDA, 2025)
        add("state", row["state"], FREIDA, 2025)
    add("setting", SETTING.get(row["program_best_described_as"]), FREIDA, 2025)
    add("pgy1_positions", to_int(row["first_year_positions"]), FREIDA, 2025)
    add("interviews_conducted", to_int(row["interviews_conducted_last_year"]), FREIDA, 2025)
    add("pct_do", to_float(row["pct_do"]), FREIDA, 2025)
    add("pct_us_md", to_float(row["pct_usmd"]), FREIDA, 2025)
    add("pct_img_any", to_float(row["pct_img"]), FREIDA, 2025)
    add("eras", yes_no(row["participates_in_eras"]), FREIDA, 2025)
    add("accepting_applications", yes_no(row["accepting_applications_2026_2027"]), FREIDA, 2025)
    add("website", website(row["website"]), FREIDA, 2025)
    for fname, status in freida_visas(row["visa_statuses_accepted"]).items():
        add(fname, status, FREIDA, 2025)
