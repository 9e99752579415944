"""Build the bundled program catalog from the raw source files (see docs/catalog.md).

Input is the read-only data folder (`raw/…`); output is one normalized record per program track,
every field carrying its source and year, plus a build report with match counts. The transform
is deterministic: the same input gives byte-identical output.

Precedence: for each field, the newest source's value is shown; an older source that says
something different is kept in the fact's `conflicts`. No program-staff names, e-mails or phone
numbers are read into the catalog.
"""

from __future__ import annotations

import ast
import csv
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from smartpick.catalog.nrmp import join_florida, join_national_2020
from smartpick.catalog.sources import (
    AAMC,
    ACGME_NEW,
    ACGME_OBGYN,
    BOARDS,
    CENSUS,
    ERAS_2021,
    FREIDA,
    GEOCODES,
    MACKLIN,
    NRMP_2020,
    NRMP_FL,
    SAME_CITY,
    source_label,
)
from smartpick.core.geography import STATES, place_of, within_state
from smartpick.core.specialties import SPECIALTIES, from_aamc

# Specialties where AAMC 2021 splits a program into categorical (C) and preliminary (P) tracks.
TRACKED_SPECIALTIES = ("Internal Medicine", "Surgery-General")
TRACK_SUFFIX = {"categorical": "C", "preliminary": "P"}

# Board pass-rate column of the AAMC table that belongs to each specialty's categorical track.
# The table carries every board's rate on every row of an institution; only the matching
# board's rate describes the program.
BOARD_COLUMN = {
    "Internal Medicine": "Internal medicine board pass rate",
    "Family Medicine": "Family medicine board pass rate",
    "Pediatrics": "Pediatrics board pass rate",
    "Surgery-General": "Surgery board pass rate",
}

AAMC_SETTING = {
    "University Hospital": "university",
    "Affiliated Hospital": "university_affiliated_community",
    "Community Hospital": "community",
    "Military": "military",
}
FREIDA_SETTING = {
    "University-based": "university",
    "Community-based university affiliated": "university_affiliated_community",
    "Community-based": "community",
    "Military-based": "military",
}
STEP1_RANGE = {
    "Below 210": "<210",
    "210-225": "210-225",
    "226-235": "226-235",
    "236-245": "236-245",
    "Greater than 245": ">245",
}
FREIDA_VISA = {"J-1 through ECFMG": "visa_j1", "H-1B": "visa_h1b", "F-1": "visa_f1"}

# Fields whose values are written in the catalog file, in this order.
FACT_FIELDS = (
    "institution",
    "city",
    "state",
    "region",
    "division",
    "latitude",
    "longitude",
    "setting",
    "pgy1_positions",
    "visa_j1",
    "visa_h1b",
    "visa_f1",
    "pct_non_us_img",
    "pct_us_img",
    "pct_us_md",
    "pct_do",
    "pct_img_any",
    "applications_received",
    "pct_interviewed",
    "interviews_conducted",
    "step1_range",
    "eras",
    "nrmp",
    "accepting_applications",
    "board_pass_rate",
    "accreditation",
    "website",
)


@dataclass
class Claim:
    """One source's statement of one field."""

    value: Any
    source: str
    year: int


@dataclass
class Draft:
    """A program being assembled from several sources."""

    id: str
    acgme_code: str
    specialty: str
    track: str
    names: list[Claim] = field(default_factory=list)
    claims: dict[str, list[Claim]] = field(default_factory=lambda: defaultdict(list))
    nrmp_results: dict[int, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Values used only to check joins (e.g. AAMC 2021 positions offered), not shipped.
    aux: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, value: Any, source: str, year: int) -> None:
        """Record a source's value for a field; empty values are not claims."""
        if isinstance(value, str):
            value = " ".join(value.split())
        if value is None or value == "":
            return
        self.claims[name].append(Claim(value, source, year))

    def has(self, name: str) -> bool:
        """True when some source already states this field."""
        return bool(self.claims.get(name))


# --- parsing helpers ------------------------------------------------------------------------


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            yield {(k or "").strip(): (v or "").strip() for k, v in row.items()}


def _float(text: str, digits: int = 1) -> float | None:
    text = text.strip().rstrip("%")
    if not text or text.upper() in {"NA", "N/A", "NAN"}:
        return None
    return round(float(text), digits)


def _int(text: str) -> int | None:
    number = _float(text, 3)
    return None if number is None else int(round(number))


def _yes_no(text: str) -> bool | None:
    return {"yes": True, "true": True, "no": False, "false": False}.get(text.strip().lower())


def website(text: str) -> str | None:
    """A program web address, or None for anything that is not one (e.g. an e-mail address)."""
    text = text.strip()
    if not text or "@" in text or " " in text or "." not in text:
        return None
    return text if re.match(r"https?://", text, re.I) else "http://" + text


def program_id(acgme_code: str, specialty: str, track: str) -> str:
    """The catalog id: 10-digit ACGME code, plus C/P where the specialty has tracks."""
    if specialty in TRACKED_SPECIALTIES:
        return acgme_code + TRACK_SUFFIX[track]
    return acgme_code


@cache
def normalize_name(name: str) -> str:
    """Lower-case program/institution name without punctuation, "program" or filler words."""
    text = name.casefold().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    drop = {"program", "the", "of", "at", "inc", "and"}
    return " ".join(w for w in text.split() if w not in drop)


# --- sources --------------------------------------------------------------------------------


class Builder:
    """Accumulates drafts from each source, then resolves every field."""

    def __init__(self, data_dir: Path) -> None:
        self.raw = data_dir / "raw"
        self.drafts: dict[str, Draft] = {}
        self.report: dict[str, Any] = {}
        self.prefix_specialty: dict[str, str] = {}

    def draft(self, acgme_code: str, specialty: str, track: str) -> Draft:
        """The draft for a program track, created on first use."""
        pid = program_id(acgme_code, specialty, track)
        if pid not in self.drafts:
            self.drafts[pid] = Draft(pid, acgme_code, specialty, track)
        return self.drafts[pid]

    # AAMC Residency Explorer 2021 (the merged table of the NYCDSA project).
    def add_aamc(self) -> None:
        """All 26 AAMC specialty-tracks."""
        path = self.raw / "nycdsa_aamc_2021" / "objects" / "dat.csv"
        prefixes: dict[str, set[str]] = defaultdict(set)
        for row in _rows(path):
            spec, track = from_aamc(row["Specialty"])
            code = row["ID"][:10]
            prefixes[code[:3]].add(spec.name)
            d = self.draft(code, spec.name, track)
            d.names.append(Claim(row["Residency program name"], AAMC, 2021))
            add = d.add
            add("city", row["City"], AAMC, 2021)
            add("state", row["State"], AAMC, 2021)
            add("setting", AAMC_SETTING.get(row["Program setting"]), AAMC, 2021)
            cat = _int(
                row[
                    "# of categorical positions offered by this program in the 2021 NRMP Main Match"
                ]
            )
            total = _int(row["# of positions offered by this program in the 2021 NRMP Main Match"])
            add("pgy1_positions", cat if cat is not None else total, AAMC, 2021)
            if total is not None:
                d.aux["positions_offered_2021"] = total
            for fname, col in (
                ("visa_j1", "Program consider applicants with J-1 visa?"),
                ("visa_h1b", "Program consider applicants with H-1B visa?"),
                ("visa_f1", "Program consider applicants with F-1 Visa (OPT 1st year)?"),
            ):
                answer = _yes_no(row[col])
                add(fname, None if answer is None else ("yes" if answer else "no"), AAMC, 2021)
            for fname, col in (
                ("pct_non_us_img", "Percentage of residents who were non-US-citizen IMGs"),
                ("pct_us_img", "Percentage of residents who were US-citizen IMGs"),
                ("pct_us_md", "Percentage of residents who were US MD graduates"),
                ("pct_do", "Percentage of residents who were US DO graduates"),
            ):
                add(fname, _float(row[col]), AAMC, 2021)
            add(
                "applications_received",
                _int(row["# of applications submitted to this program in 2021"]),
                AAMC,
                2021,
            )
            add(
                "pct_interviewed",
                _float(row["% of applicants interviewed by the program in 2020"]),
                AAMC,
                2020,
            )
            add(
                "step1_range",
                STEP1_RANGE.get(row["Range of average USMLE Step 1 score of current residents"]),
                AAMC,
                2021,
            )
            add("eras", _yes_no(row["Participates in ERAS"]), AAMC, 2021)
            add("nrmp", _yes_no(row["Participates in the NRMP Main Match"]), AAMC, 2021)
            add("latitude", _float(row["latitude"], 5), AAMC, 2021)
            add("longitude", _float(row["longitude"], 5), AAMC, 2021)
            add("accreditation", row["Program accreditation status"], AAMC, 2021)
            add("website", website(row["Program website"]), AAMC, 2021)
            board = BOARD_COLUMN.get(spec.name)
            if board and track == "categorical":
                rate = _float(row[board], 3)
                add("board_pass_rate", None if rate is None else round(rate * 100, 1), BOARDS, 2020)
        self.prefix_specialty = {p: next(iter(s)) for p, s in prefixes.items() if len(s) == 1}
        self._split_preliminary_positions()

    def _split_preliminary_positions(self) -> None:
        """AAMC's preliminary-track row gives the program's total positions (C + P).

        The preliminary positions are that total minus the categorical row's positions (e.g.
        Brookwood Baptist IM: 14 - 10 = 4, which is NRMP 2020's preliminary quota).
        """
        for d in self.drafts.values():
            if d.track != "preliminary":
                continue
            cat = self.drafts.get(program_id(d.acgme_code, d.specialty, "categorical"))
            total = d.aux.get("positions_offered_2021")
            cat_total = cat.aux.get("positions_offered_2021") if cat else None
            if cat is not None:
                note = (
                    "AAMC 2021 reports residents' shares, applications, % interviewed, visas and "
                    "Step 1 range once per program: they cover the categorical and preliminary "
                    "tracks together."
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

    # FREIDA Internal Medicine 2025.
    def add_freida(self) -> None:
        """IM categorical programs from FREIDA 2025; merged with AAMC by code, then by name."""
        path = self.raw / "freida_im_2025_scapper" / "freida_programs_output_with_academic_year.csv"
        rows: dict[str, dict[str, str]] = {}
        for row in _rows(path):
            # One duplicated program_id in the file; the two rows are identical.
            rows.setdefault(row["program_id"].zfill(10), row)
        aamc_im = {
            d.acgme_code: d
            for d in self.drafts.values()
            if d.specialty == "Internal Medicine" and d.track == "categorical"
        }
        by_code = [c for c in rows if c in aamc_im]
        freida_only = [c for c in rows if c not in aamc_im]
        aamc_only = [c for c in aamc_im if c not in rows]
        # A program whose ACGME code changed between 2021 and 2025: same name and state.
        key = {
            c: (normalize_name(aamc_im[c].names[0].value), _claim(aamc_im[c], "state"))
            for c in aamc_only
        }
        by_key = {v: c for c, v in key.items() if list(key.values()).count(v) == 1}
        by_name: dict[str, str] = {}
        for code in freida_only:
            k = (normalize_name(rows[code]["program_name_suffix"]), rows[code]["state"])
            if k in by_key:
                by_name[code] = by_key.pop(k)
        for new_code, old_code in sorted(by_name.items()):
            old = self.drafts.pop(program_id(old_code, "Internal Medicine", "categorical"))
            merged = self.draft(new_code, "Internal Medicine", "categorical")
            merged.names.extend(old.names)
            merged.aux.update(old.aux)
            for fname, claims in old.claims.items():
                merged.claims[fname].extend(claims)
            merged.notes.append(f"AAMC 2021 listed this program under ACGME code {old_code}.")
        for code in sorted(aamc_only):
            if code not in by_name.values():
                aamc_im[code].notes.append(
                    "Not listed in FREIDA 2025: the program may have closed, merged or changed "
                    "its ACGME code since 2021."
                )
        for code in sorted(rows):
            row = rows[code]
            d = self.draft(code, "Internal Medicine", "categorical")
            d.names.append(Claim(row["program_name_suffix"], FREIDA, 2025))
            add = d.add
            add("city", row["city"], FREIDA, 2025)
            add("state", row["state"], FREIDA, 2025)
            add("setting", FREIDA_SETTING.get(row["program_best_described_as"]), FREIDA, 2025)
            add("pgy1_positions", _int(row["first_year_positions"]), FREIDA, 2025)
            add("interviews_conducted", _int(row["interviews_conducted_last_year"]), FREIDA, 2025)
            add("pct_do", _float(row["pct_do"]), FREIDA, 2025)
            add("pct_us_md", _float(row["pct_usmd"]), FREIDA, 2025)
            add("pct_img_any", _float(row["pct_img"]), FREIDA, 2025)
            add("eras", _yes_no(row["participates_in_eras"]), FREIDA, 2025)
            add(
                "accepting_applications",
                _yes_no(row["accepting_applications_2026_2027"]),
                FREIDA,
                2025,
            )
            add("website", website(row["website"]), FREIDA, 2025)
            for fname, status in freida_visas(row["visa_statuses_accepted"]).items():
                add(fname, status, FREIDA, 2025)
        self.report["internal_medicine_categorical"] = {
            "freida_rows": len(rows),
            "aamc_rows": len(aamc_im),
            "matched_by_code": len(by_code),
            "matched_by_name": len(by_name),
            "freida_only": len(freida_only) - len(by_name),
            "aamc_only": len(aamc_only) - len(by_name),
            "matched_by_name_codes": {k: by_name[k] for k in sorted(by_name)},
        }

    # Coordinates from the 2019 MactionCreations database, where AAMC has none.
    def add_macklin(self) -> None:
        """City-level latitude/longitude by ACGME code for programs without AAMC coordinates."""
        path = self.raw / "macklin_programdb_2019" / "programDatabase.csv"
        coords = {}
        for row in _rows(path):
            lat, lon = _float(row["latitude"], 5), _float(row["longitude"], 5)
            if lat is not None and lon is not None:
                coords[row["acgme"].zfill(10)] = (lat, lon)
        used = 0
        for d in self.drafts.values():
            if d.has("latitude") or d.acgme_code not in coords:
                continue
            lat, lon = coords[d.acgme_code]
            d.add("latitude", lat, MACKLIN, 2019)
            d.add("longitude", lon, MACKLIN, 2019)
            used += 1
        self.report["coordinates_from_macklin_2019"] = used

    # Coordinates of another program in the same city, for programs with none at all.
    def add_city_coordinates(self) -> None:
        """Use the coordinates another source gives for a program in the same city and state."""
        city_points: dict[tuple[str, str], tuple[float, float, str, int]] = {}
        for pid in sorted(self.drafts):
            d = self.drafts[pid]
            city, state = _claim(d, "city"), _claim(d, "state")
            lat, lon = d.claims.get("latitude"), d.claims.get("longitude")
            if city and state and lat and lon:
                key = (str(city).casefold(), str(state))
                city_points.setdefault(
                    key, (lat[0].value, lon[0].value, lat[0].source, lat[0].year)
                )
        # Then institution addresses geocoded in 2021: "Name, City, ST, zip, USA".
        geocodes = self.raw / "nycdsa_aamc_2021" / "data" / "geo" / "program_geocodes.csv"
        for row in sorted(_rows(geocodes), key=lambda r: r["submit_adj"]):
            parts = [p.strip() for p in row["submit_adj"].split(",")]
            lat_g, lon_g = _float(row["latitude"], 5), _float(row["longitude"], 5)
            if len(parts) >= 4 and lat_g is not None and lon_g is not None:
                key = (parts[-4].casefold(), parts[-3])
                city_points.setdefault(key, (lat_g, lon_g, GEOCODES, 2021))
        used = 0
        for pid in sorted(self.drafts):
            d = self.drafts[pid]
            if d.has("latitude"):
                continue
            city, state = _claim(d, "city"), _claim(d, "state")
            point = city_points.get((str(city).casefold(), str(state))) if city and state else None
            if point is None:
                continue
            source = SAME_CITY + point[2]
            d.add("latitude", point[0], source, point[3])
            d.add("longitude", point[1], source, point[3])
            used += 1
        self.report["coordinates_from_same_city"] = used

    # Geocoders sometimes pick a same-named city in another state (Oakland CA -> Oakland
    # County MI); such coordinates are dropped, so the map shows no dot rather than a wrong one.
    def drop_misplaced_coordinates(self) -> None:
        """Remove coordinate claims that fall outside the program's own state, with a note."""
        dropped = self.report.get("coordinates_dropped_outside_state", 0)
        for pid in sorted(self.drafts):
            d = self.drafts[pid]
            state = _claim(d, "state")
            lats, lons = d.claims.get("latitude", []), d.claims.get("longitude", [])
            if not state or not lats or len(lats) != len(lons):
                continue
            keep = [
                within_state(str(state), lat.value, lon.value) is not False
                for lat, lon in zip(lats, lons, strict=True)
            ]
            if all(keep):
                continue
            for lat, lon, ok in zip(lats, lons, keep, strict=True):
                if not ok:
                    d.notes.append(
                        f"Coordinates {lat.value}, {lon.value} ({source_label(lat.source)}) lie "
                        f"outside {state}: dropped as a geocoding error."
                    )
            d.claims["latitude"] = [c for c, ok in zip(lats, keep, strict=True) if ok]
            d.claims["longitude"] = [c for c, ok in zip(lons, keep, strict=True) if ok]
            dropped += 1
        self.report["coordinates_dropped_outside_state"] = dropped

    # ACGME public directory 2023, OB/GYN: sponsoring institution and accreditation status.
    def add_acgme_obgyn(self) -> None:
        """OB/GYN sponsoring institution and 2023 accreditation; adds programs AAMC lacks."""
        path = self.raw / "muffly_tyler_acgme_obgyn_2023" / "data" / "acgme.csv"
        states = _state_codes()
        matched = added = 0
        for row in _rows(path):
            code = row["program_code"].zfill(10)
            pid = program_id(code, "Obstetrics and Gynecology", "categorical")
            status = row["accreditation_status"]
            existing = pid in self.drafts
            if not existing and "Withdraw" in status:
                continue
            d = self.draft(code, "Obstetrics and Gynecology", "categorical")
            matched += existing
            added += not existing
            d.names.append(Claim(row["program_name"], ACGME_OBGYN, 2023))
            d.add("institution", row["sponsoring_institution_name"], ACGME_OBGYN, 2023)
            d.add("city", row["city"], ACGME_OBGYN, 2023)
            d.add("state", states.get(row["state"].casefold(), row["state"]), ACGME_OBGYN, 2023)
            d.add("accreditation", status, ACGME_OBGYN, 2023)
            d.add("website", website(row["website"]), ACGME_OBGYN, 2023)
        listed = {row["program_code"].zfill(10) for row in _rows(path)}
        missing = 0
        for d in self.drafts.values():
            if d.specialty == "Obstetrics and Gynecology" and d.acgme_code not in listed:
                d.notes.append(
                    "Not in the ACGME 2023 OB/GYN directory: the program may have closed or "
                    "changed its ACGME code since 2021."
                )
                missing += 1
        self.report["obgyn_acgme_2023"] = {
            "matched_by_code": matched,
            "added": added,
            "aamc_not_in_2023_directory": missing,
        }

    # Programs newly accredited for 2025-26 and 2026-27 (identity only).
    def add_new_programs(self) -> None:
        """Brand-new programs in catalog specialties, with OCR damage repaired or flagged."""
        path = self.raw / "missionmed_acgme_new_2026" / "newly_accredited_programs_2025_2027.csv"
        known_cities = defaultdict(set)
        for d in self.drafts.values():
            city, state = _claim(d, "city"), _claim(d, "state")
            if city and state:
                known_cities[str(state)].add(str(city))
        added = already = other_specialty = 0
        for row in _rows(path):
            code = row["acgme_program_id"].zfill(10)
            specialty = self.prefix_specialty.get(code[:3])
            if specialty is None:
                other_specialty += 1
                continue
            pid = program_id(code, specialty, "categorical")
            if pid in self.drafts:
                already += 1
                continue
            d = self.draft(code, specialty, "categorical")
            name, name_fixed = clean_ocr_name(row["program_name"])
            city, city_fixed = clean_ocr_city(row["city"], known_cities[row["state"]])
            d.names.append(Claim(name, ACGME_NEW, 2026))
            d.add("city", city, ACGME_NEW, 2026)
            d.add("state", row["state"], ACGME_NEW, 2026)
            status = row["accreditation_status"]
            if row["effective_date"]:
                month, day, year = row["effective_date"].split("/")
                status = f"{status} (effective {year}-{month}-{day})"
            d.add("accreditation", status, ACGME_NEW, 2026)
            d.notes.append(
                "New program: only its identity is known (ACGME list, text extracted from a PDF)."
            )
            if name_fixed:
                d.notes.append(f"Name repaired from garbled source text: '{row['program_name']}'.")
            if city_fixed:
                d.notes.append(f"City repaired from garbled source text: '{row['city']}'.")
            added += 1
        self.report["new_programs_2025_2027"] = {
            "added": added,
            "already_in_catalog": already,
            "specialty_not_in_catalog": other_specialty,
        }

    def add_nrmp(self) -> None:
        """NRMP results: 2020 national file by name and state, Florida 2020-2026 by city."""
        tracked = TRACKED_SPECIALTIES
        self.report["nrmp_2020_national"] = join_national_2020(
            self.drafts,
            self.raw / "nycdsa_aamc_2021" / "data" / "programs" / "2020_residencies.csv",
            self.prefix_specialty,
            tracked,
            set(STATES),
            NRMP_2020,
        )
        report, sponsors = join_florida(
            self.drafts,
            self.raw / "nrmp_fl_2020_2026" / "public" / "NRMP_2020_2026_Main_and_Specialty.csv",
            self.prefix_specialty,
            tracked,
            NRMP_FL,
        )
        self.report["nrmp_florida_2020_2026"] = report
        for pid, name in sorted(sponsors.items()):
            d = self.drafts[pid]
            d.add("institution", name, NRMP_FL, 2026)
            latest = max(d.nrmp_results, default=None)
            if latest == 2026:
                d.add("nrmp", True, NRMP_FL, 2026)

    # ERAS 2021 participant lists: programs no other source has (identity only).
    def add_eras_2021(self) -> None:
        """Programs on the 2021 ERAS lists of catalog specialties that no other source lists."""
        folder = self.raw / "nycdsa_aamc_2021" / "data" / "ERAS_links"
        seen: dict[str, dict[str, str]] = {}
        for path in sorted(folder.glob("*.csv")):
            for row in _rows(path):
                code = row["ID"].zfill(10)
                if code.isdigit() and len(code) == 10:
                    seen.setdefault(code, row)
        added = 0
        for code in sorted(seen):
            specialty = self.prefix_specialty.get(code[:3])
            if specialty is None or program_id(code, specialty, "categorical") in self.drafts:
                continue
            if specialty in TRACKED_SPECIALTIES and program_id(code, specialty, "preliminary") in (
                self.drafts
            ):
                continue
            row = seen[code]
            d = self.draft(code, specialty, "categorical")
            d.names.append(Claim(row["Program name"], ERAS_2021, 2021))
            city = row["City"]
            d.add("city", city.title() if city.isupper() else city, ERAS_2021, 2021)
            d.add("state", row["State"], ERAS_2021, 2021)
            d.add(
                "eras",
                {"Participating": True, "Not Participating": False}.get(row["Status"]),
                ERAS_2021,
                2021,
            )
            d.notes.append(
                "Only the program's identity and 2021 ERAS participation are known (not in the "
                "AAMC 2021 table or FREIDA 2025); it may have closed since."
            )
            added += 1
        self.report["eras_2021_only_programs_added"] = added

    def add_geography(self) -> None:
        """Census region and division from the state."""
        for d in self.drafts.values():
            state = _claim(d, "state")
            if not state:
                continue
            place = place_of(str(state))
            d.add("region", place.region, CENSUS, 2020)
            d.add("division", place.division, CENSUS, 2020)

    def build(self) -> list[dict[str, Any]]:
        """Run every source in order and resolve the records."""
        self.add_aamc()
        self.add_freida()
        self.add_acgme_obgyn()
        self.add_new_programs()
        self.add_eras_2021()
        self.add_nrmp()
        self.add_macklin()
        self.drop_misplaced_coordinates()
        self.add_city_coordinates()
        self.drop_misplaced_coordinates()
        self.add_geography()
        records = [resolve(self.drafts[pid]) for pid in sorted(self.drafts)]
        self.report.update(summary(records))
        return records


# --- resolving ------------------------------------------------------------------------------


def _claim(d: Draft, name: str) -> Any:
    """The newest value stated for a field (None when no source states it)."""
    claims = d.claims.get(name)
    if not claims:
        return None
    return max(claims, key=lambda c: c.year).value


def resolve(d: Draft) -> dict[str, Any]:
    """Turn a draft into the catalog record: newest value shown, differing older ones kept.

    Record keys: `f` maps field → [value, source key, year]; `c` maps field → list of
    [value, source key, year] for older sources that disagree (only fields that have any).
    """
    facts: dict[str, Any] = {}
    conflicts_by_field: dict[str, Any] = {}
    for name in FACT_FIELDS:
        claims = sorted(d.claims.get(name, []), key=lambda c: (-c.year, c.source))
        if not claims:
            continue
        shown = claims[0]
        conflicts: list[list[Any]] = []
        seen = {_same_key(shown.value)}
        for claim in claims[1:]:
            k = _same_key(claim.value)
            if k in seen:
                continue
            seen.add(k)
            conflicts.append([claim.value, claim.source, claim.year])
        facts[name] = [shown.value, shown.source, shown.year]
        if conflicts:
            conflicts_by_field[name] = conflicts
    name = " ".join(str(sorted(d.names, key=lambda c: (-c.year, c.source))[0].value).split())
    return {
        "id": d.id,
        "acgme_code": d.acgme_code,
        "name": name,
        "specialty": d.specialty,
        "track": d.track,
        "f": facts,
        "c": conflicts_by_field,
        "nrmp_results": [d.nrmp_results[y] for y in sorted(d.nrmp_results, reverse=True)],
        "data_notes": sorted(set(d.notes)),
    }


def _same_key(value: Any) -> Any:
    # Names/cities differing only in case or punctuation are the same statement.
    if isinstance(value, str):
        return normalize_name(value) or value
    return value


def freida_visas(text: str) -> dict[str, str]:
    """FREIDA's accepted-visa list → yes / no per visa; an empty list is "none_listed"."""
    items = ast.literal_eval(text) if text else []
    values = {i["value"] if isinstance(i, dict) else str(i) for i in items}
    if not values:
        return {f: "none_listed" for f in FREIDA_VISA.values()}
    return {fname: ("yes" if label in values else "no") for label, fname in FREIDA_VISA.items()}


# Garbled fragments seen in the ACGME new-programs list (PDF text extraction), and what the
# ACGME directory name reads without them.
_OCR_NAME_FIXES = {
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
    fixed = _OCR_NAME_FIXES.get(name, name)
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


def _state_codes() -> dict[str, str]:
    names = {
        "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
        "colorado": "CO", "connecticut": "CT", "delaware": "DE", "district of columbia": "DC",
        "florida": "FL", "georgia": "GA", "hawaii": "HI", "idaho": "ID", "illinois": "IL",
        "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY", "louisiana": "LA",
        "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI",
        "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT",
        "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ",
        "new mexico": "NM", "new york": "NY", "north carolina": "NC", "north dakota": "ND",
        "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA",
        "puerto rico": "PR", "rhode island": "RI", "south carolina": "SC",
        "south dakota": "SD", "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT",
        "virginia": "VA", "washington": "WA", "west virginia": "WV", "wisconsin": "WI",
        "wyoming": "WY",
    }  # fmt: skip
    return names


def summary(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts per specialty-track and conflicts per field, for the build report."""
    per_track = Counter(f"{r['specialty']} / {r['track']}" for r in records)
    conflicts = Counter(name for r in records for name in r["c"])
    return {
        "programs": len(records),
        "programs_by_specialty_track": dict(sorted(per_track.items())),
        "fields_with_conflicts": dict(sorted(conflicts.items())),
        "specialties": len({r["specialty"] for r in records}),
        "catalog_specialties": sorted(s.name for s in SPECIALTIES),
    }


def build_catalog(data_dir: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Build all records and the build report from the data folder."""
    builder = Builder(data_dir)
    records = builder.build()
    return records, builder.report


def dump_records(records: list[dict[str, Any]]) -> str:
    """The catalog file text: one JSON object per line, keys sorted, records sorted by id."""
    return "".join(
        json.dumps(r, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
        for r in sorted(records, key=lambda r: r["id"])
    )


def dump_report(report: dict[str, Any]) -> str:
    """The build report text (stable JSON)."""
    return json.dumps(report, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
