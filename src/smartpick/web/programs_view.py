"""Program data as pages show it: every field with its label, value, source, year and conflicts.

Built from the catalog's JSON contract (`program_to_dict`), so the program page and its JSON twin
show the same facts; unknown stays "unknown", never a guess.
"""

from __future__ import annotations

from typing import Any

# Field -> (label, unit). The order is the order on the program page.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "institution": ("Sponsoring institution", ""),
    "city": ("City", ""),
    "state": ("State", ""),
    "region": ("Census region", ""),
    "division": ("Census division", ""),
    "setting": ("Setting", ""),
    "pgy1_positions": ("First-year (PGY-1) positions", ""),
    "total_residents": ("Residents, all years of training", ""),
    "visa_j1": ("J-1 visa considered", ""),
    "visa_h1b": ("H-1B visa sponsored", ""),
    "visa_f1": ("F-1 (OPT) considered", ""),
    "pct_non_us_img": ("Residents who are non-US-citizen IMGs", "%"),
    "pct_us_img": ("Residents who are US-citizen IMGs", "%"),
    "pct_img_any": ("Residents who are IMGs (any citizenship)", "%"),
    "pct_us_md": ("Residents who are US MDs", "%"),
    "pct_do": ("Residents who are DOs", "%"),
    "applications_received": ("Applications received", ""),
    "pct_interviewed": ("Applicants interviewed", "%"),
    "interviews_conducted": ("Interviews conducted", ""),
    "step1_range": ("Residents' average Step 1 range", ""),
    "eras": ("Takes applications through ERAS", ""),
    "nrmp": ("Participates in the NRMP Match", ""),
    "accepting_applications": ("Accepting applications", ""),
    "board_pass_rate": ("Board pass rate", "%"),
    "accreditation": ("ACGME accreditation", ""),
    "website": ("Website", ""),
    "latitude": ("Latitude", ""),
    "longitude": ("Longitude", ""),
    "min_step1": ("Minimum Step 1 score", ""),
    "min_step2ck": ("Minimum Step 2 CK score", ""),
    "max_years_since_graduation": ("Most years since graduation", ""),
    "usce_required": ("US clinical experience required", ""),
    "notes": ("Your notes", ""),
}
# Cut-offs no bundled source states: said plainly where they are unknown.
CUTOFF_FIELDS = ("min_step1", "min_step2ck", "max_years_since_graduation", "usce_required")
CUTOFF_UNKNOWN = (
    "unknown: none of SmartPick's sources states it; ask the program or check its website"
)
# Source names as a web user reads them.
SOURCE_WORDS = {"user import": "a file you imported with the command line"}


def labelled_facts(program: dict[str, Any]) -> list[dict[str, Any]]:
    """The `fields` of a `program_to_dict` result as a labelled list in page order.

    Fields the catalog adds later still show, with their own name as the label.
    """
    facts = program["fields"]
    order = [n for n in FIELD_LABELS if n in facts] + [n for n in facts if n not in FIELD_LABELS]
    out = []
    for name in order:
        label, unit = FIELD_LABELS.get(name, (name.replace("_", " "), ""))
        fact = dict(facts[name])
        fact["source"] = SOURCE_WORDS.get(fact["source"], fact["source"])
        fact["conflicts"] = [
            {**c, "source": SOURCE_WORDS.get(c["source"], c["source"])} for c in fact["conflicts"]
        ]
        unknown = CUTOFF_UNKNOWN if name in CUTOFF_FIELDS else "unknown"
        out.append({"field": name, "label": label, "unit": unit, "unknown": unknown, **fact})
    return out
