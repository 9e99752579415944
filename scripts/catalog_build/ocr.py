"""Repairs of program names and cities garbled by PDF text extraction (ACGME new-programs list)."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Garbled fragments seen in the ACGME new-programs list, and what the ACGME directory name
# reads without them.
_NAME_FIXES = {
    "Ochsner Lafayette General Medical Zia Center Program MPH": (
        "Ochsner Lafayette General Medical Center Program"
    ),
    "University of Mississippi School of J Medicine Program H": (
        "University of Mississippi School of Medicine Program"
    ),
    "University of Arkansas for Medical Ba Sciences (UAMS) College of Medicine Program": (
        "University of Arkansas for Medical Sciences (UAMS) College of Medicine Program"
    ),
    "Los Angeles County-Harbor-UCLA Bhavra Medical Center Program": (
        "Los Angeles County-Harbor-UCLA Medical Center Program"
    ),
    "HCA Florida Healthcare/USF Iryn Morsani College of Medicine GME - Tampa South MD Program": (
        "HCA Florida Healthcare/USF Morsani College of Medicine GME - Tampa South Program"
    ),
    "New York Medical College Program Vinc MD": "New York Medical College Program",
}


def clean_ocr_name(name: str) -> tuple[str, bool]:
    """Repair a program name from the OCR-extracted list; returns (name, was_changed)."""
    fixed = _NAME_FIXES.get(name, name)
    # Stray initials/degrees stuck after "Program" or 1-2 letter fragments before it.
    fixed = re.sub(r"\s+Program(\s+[A-Z]{1,3})+$", " Program", fixed)
    fixed = re.sub(r"\s+[A-Z][a-z]?\s+Program$", " Program", fixed)
    return fixed, fixed != name


def clean_ocr_city(city: str, known: Iterable[str]) -> tuple[str, bool]:
    """Repair a city whose first letter was lost ("onolulu" → "Honolulu") using known cities."""
    if city and city[0].isupper() and not city.isupper():
        return city, False
    candidates = sorted(k for k in known if k.casefold().endswith(city.casefold()))
    exact = [k for k in candidates if k.casefold() == city.casefold()]
    if exact:
        return exact[0], exact[0] != city
    one_letter = [k for k in candidates if len(k) == len(city) + 1]
    if len(one_letter) == 1:
        return one_letter[0], True
    titled = city.title()
    return titled, titled != city
