"""Canonical specialty names and the names other publications use for them.

The catalog uses the AAMC Residency Explorer specialty names with tracks folded out (Internal
Medicine categorical and preliminary are one specialty, two tracks). Charting Outcomes (NRMP) and
the ERAS signal table name some specialties differently; these maps join them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from smartpick.errors import InvalidInput


@dataclass(frozen=True)
class Specialty:
    """A specialty: catalog name, AAMC 2021 names (per track), Charting Outcomes and ERAS names."""

    name: str
    aamc_names: tuple[str, ...]
    charting_outcomes: str | None
    eras_signals: str | None


SPECIALTIES: tuple[Specialty, ...] = (
    Specialty("Anesthesiology", ("Anesthesiology",), "Anesthesiology", "Anesthesiology"),
    Specialty(
        "Child Neurology",
        ("Child Neurology",),
        "Child Neurology",
        "Child Neurology & Neurodevelopmental Disabilities",
    ),
    Specialty("Dermatology", ("Dermatology",), "Dermatology", "Dermatology"),
    Specialty(
        "Emergency Medicine", ("Emergency Medicine",), "Emergency Medicine", "Emergency Medicine"
    ),
    Specialty("Family Medicine", ("Family Medicine",), "Family Medicine", "Family Medicine"),
    Specialty(
        "Internal Medicine",
        ("Internal Medicine - Categorical Track", "Internal Medicine - Preliminary Track"),
        "Internal Medicine",
        "Internal Medicine",
    ),
    Specialty(
        "Internal Medicine/Pediatrics",
        ("Internal Medicine/Pediatrics",),
        "Internal Medicine/Pediatrics",
        None,
    ),
    Specialty(
        "Interventional Radiology",
        ("Interventional Radiology - Integrated",),
        "Interventional Radiology (Integrated)",
        "Diagnostic Radiology and Interventional Radiology",
    ),
    Specialty(
        "Neurodevelopmental Disabilities",
        ("Neurodevelopmental Disabilities",),
        None,
        "Child Neurology & Neurodevelopmental Disabilities",
    ),
    Specialty(
        "Neurological Surgery",
        ("Neurological Surgery",),
        "Neurological Surgery",
        "Neurological Surgery",
    ),
    Specialty("Neurology", ("Neurology",), "Neurology", "Neurology"),
    Specialty(
        "Obstetrics and Gynecology",
        ("Obstetrics and Gynecology",),
        "Obstetrics and Gynecology",
        "Obstetrics and Gynecology",
    ),
    Specialty(
        "Orthopaedic Surgery", ("Orthopaedic Surgery",), "Orthopaedic Surgery", "Orthopedic Surgery"
    ),
    Specialty(
        "Otolaryngology",
        ("Otolaryngology - Head and Neck Surgery",),
        "Otolaryngology",
        "Otolaryngology",
    ),
    Specialty(
        "Pathology",
        ("Pathology-Anatomic and Clinical",),
        "Pathology-Anatomic and Clinical",
        "Pathology",
    ),
    Specialty("Pediatrics", ("Pediatrics",), "Pediatrics", "Pediatrics"),
    Specialty(
        "Physical Medicine and Rehabilitation",
        ("Physical Medicine and Rehabilitation",),
        "Physical Medicine and Rehabilitation",
        "Physical Medicine and Rehabilitation",
    ),
    Specialty(
        "Plastic Surgery", ("Plastic Surgery - Integrated",), "Plastic Surgery (Integrated)", None
    ),
    Specialty("Psychiatry", ("Psychiatry",), "Psychiatry", "Psychiatry"),
    Specialty(
        "Radiation Oncology", ("Radiation Oncology",), "Radiation Oncology", "Radiation Oncology"
    ),
    Specialty(
        "Radiology-Diagnostic",
        ("Radiology - Diagnostic",),
        "Radiology-Diagnostic",
        "Diagnostic Radiology and Interventional Radiology",
    ),
    Specialty(
        "Surgery-General",
        ("Surgery-General - Categorical Track", "Surgery-General - Preliminary Track"),
        "Surgery-General",
        "General Surgery",
    ),
    Specialty(
        "Thoracic Surgery",
        ("Thoracic Surgery - Integrated",),
        "Thoracic Surgery (Integrated)",
        "Thoracic Surgery",
    ),
    Specialty("Transitional Year", ("Transitional Year",), None, "Transitional Year"),
)

# Charting Outcomes specialties with no catalog programs in our sources (kept for calibration).
CHARTING_OUTCOMES_ONLY = ("Public Health and Preventive Medicine", "Vascular Surgery (Integrated)")

_BY_NAME = {s.name: s for s in SPECIALTIES}
_BY_ALIAS = {
    alias.casefold(): s
    for s in SPECIALTIES
    for alias in (s.name, *s.aamc_names, s.charting_outcomes or s.name)
}


def specialty_names() -> tuple[str, ...]:
    """The catalog's specialty names, sorted."""
    return tuple(sorted(_BY_NAME))


def charting_name(name: str) -> str | None:
    """The Charting Outcomes name of a specialty (catalog, AAMC or Charting Outcomes name), or
    None when the report has no row of its own for it."""
    return resolve_specialty(name).charting_outcomes


def resolve_specialty(name: str, field: str = "specialty") -> Specialty:
    """Find a specialty by its catalog, AAMC or Charting Outcomes name (case-insensitive).

    Raises InvalidInput naming the field, with a "did you mean" suggestion.
    """
    found = _BY_ALIAS.get(name.strip().casefold())
    if found is not None:
        return found
    close = difflib.get_close_matches(name, list(_BY_NAME), n=1, cutoff=0.5)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise InvalidInput(
        f"{field}: '{name}' is not a specialty in the catalog.{hint} "
        f"Allowed: {', '.join(specialty_names())}.",
        field=field,
    )


def from_aamc(aamc_name: str) -> tuple[Specialty, str]:
    """Map an AAMC 2021 specialty name to (specialty, track)."""
    for s in SPECIALTIES:
        if aamc_name in s.aamc_names:
            if aamc_name.endswith("Preliminary Track"):
                return s, "preliminary"
            return s, "categorical"
    raise KeyError(aamc_name)
