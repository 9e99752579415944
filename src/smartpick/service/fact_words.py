"""Catalog facts in words, for every face: each field's label and unit (in the order a program's
page lists them), what an unknown cut-off means, and a value as a person reads it."""

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


def field_label(name: str) -> str:
    """A catalog field's label; a field added later reads as its own name in words."""
    known = FIELD_LABELS.get(name)
    return known[0] if known else name.replace("_", " ")


def shown_value(value: Any) -> str:
    """A catalog value as shown to a person: unknown stays unknown."""
    if value is None:
        return "unknown"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value == "none_listed":
        return "none listed"
    if isinstance(value, float):
        return f"{value:,.1f}".rstrip("0").rstrip(".")
    if isinstance(value, str):
        return value.replace("_", " ") if value.islower() else value
    return str(value)
