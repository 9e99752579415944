"""The sources of catalog facts: the short keys stored in the catalog file and their labels."""

from __future__ import annotations

# Source keys used in the catalog file; `SOURCES` gives the label shown to users.
FREIDA = "freida2025"
AAMC = "aamc2021"
AAMC_2026 = "aamc2026"  # Residency Explorer, 2026 cycle (IM and FM)
BOARDS = "boards2020"
MACKLIN = "macklin2019"
ACGME_NEW = "acgme_new2026"
ACGME_OBGYN = "acgme_obgyn2023"
NRMP_2020 = "nrmp2020"
NRMP_FL = "nrmp_fl"
CENSUS = "census"
GEOCODES = "geocodes2021"
ERAS_2021 = "eras2021"
ACGME_CODE = "acgme_code"  # a state read from the ACGME code's state digits (a source's error)
SAME_CITY = "same_city:"  # prefix: coordinates of another program in the city, from <source>

SOURCES = {
    FREIDA: "FREIDA 2025",
    AAMC: "AAMC Residency Explorer 2021",
    AAMC_2026: "AAMC Residency Explorer, 2026 cycle",
    BOARDS: "Specialty board pass rates 2018-2020 (in the AAMC 2021 table)",
    MACKLIN: "MactionCreations program database 2019",
    ACGME_NEW: "ACGME newly accredited programs 2025-2027",
    ACGME_OBGYN: "ACGME public directory 2023 (OB/GYN)",
    NRMP_2020: "NRMP Main Match 2020 program results",
    NRMP_FL: "NRMP Main Match program results, Florida 2020-2026",
    CENSUS: "US Census regions and divisions",
    GEOCODES: "Geocoded institution addresses 2021 (NYCDSA project)",
    ERAS_2021: "ERAS participating programs 2021",
    ACGME_CODE: "the state in the program's ACGME code",
}


def source_label(key: str) -> str:
    """The user-facing name of a source key from the catalog file."""
    if key.startswith(SAME_CITY):
        base = key[len(SAME_CITY) :]
        return f"location of another program in the same city ({SOURCES.get(base, base)})"
    return SOURCES.get(key, key)
