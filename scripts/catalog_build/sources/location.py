"""Where a program is: coordinates (by ACGME code, else another program in the same city),
misplaced coordinates dropped, and the Census region and division of its state."""

from __future__ import annotations

from catalog_build.draft import ProgramDrafts
from catalog_build.parsing import rows, to_float
from smartpick.catalog.sources import CENSUS, GEOCODES, MACKLIN, SAME_CITY, source_label
from smartpick.core.geography import place_of, within_state


def add_macklin(drafts: ProgramDrafts) -> None:
    """City-level latitude/longitude by ACGME code (MactionCreations 2019) where none is known."""
    path = drafts.raw / "macklin_programdb_2019" / "programDatabase.csv"
    coords = {}
    for row in rows(path):
        lat, lon = to_float(row["latitude"], 5), to_float(row["longitude"], 5)
        if lat is not None and lon is not None:
            coords[row["acgme"].zfill(10)] = (lat, lon)
    used = 0
    for d in drafts.drafts.values():
        if d.has("latitude") or d.acgme_code not in coords:
            continue
        lat, lon = coords[d.acgme_code]
        d.add("latitude", lat, MACKLIN, 2019)
        d.add("longitude", lon, MACKLIN, 2019)
        used += 1
    drafts.report["coordinates_from_macklin_2019"] = used


def add_city_coordinates(drafts: ProgramDrafts) -> None:
    """Use the coordinates another source gives for a program in the same city and state."""
    city_points: dict[tuple[str, str], tuple[float, float, str, int]] = {}
    for pid in sorted(drafts.drafts):
        d = drafts.drafts[pid]
        city, state = d.newest("city"), d.newest("state")
        lat, lon = d.claims.get("latitude"), d.claims.get("longitude")
        if city and state and lat and lon:
            key = (str(city).casefold(), str(state))
            city_points.setdefault(key, (lat[0].value, lon[0].value, lat[0].source, lat[0].year))
    # Then institution addresses geocoded in 2021: "Name, City, ST, zip, USA".
    geocodes = drafts.raw / "nycdsa_aamc_2021" / "data" / "geo" / "program_geocodes.csv"
    for row in sorted(rows(geocodes), key=lambda r: r["submit_adj"]):
        parts = [p.strip() for p in row["submit_adj"].split(",")]
        lat_g, lon_g = to_float(row["latitude"], 5), to_float(row["longitude"], 5)
        if len(parts) >= 4 and lat_g is not None and lon_g is not None:
            key = (parts[-4].casefold(), parts[-3])
            city_points.setdefault(key, (lat_g, lon_g, GEOCODES, 2021))
    used = 0
    for pid in sorted(drafts.drafts):
        d = drafts.drafts[pid]
        if d.has("latitude"):
            continue
        city, state = d.newest("city"), d.newest("state")
        point = city_points.get((str(city).casefold(), str(state))) if city and state else None
        if point is None:
            continue
        source = SAME_CITY + point[2]
        d.add("latitude", point[0], source, point[3])
        d.add("longitude", point[1], source, point[3])
        used += 1
    drafts.report["coordinates_from_same_city"] = used


def drop_misplaced_coordinates(drafts: ProgramDrafts) -> None:
    """Remove coordinate claims that fall outside the program's own state, with a note.

    Geocoders sometimes pick a same-named city in another state (Oakland CA → Oakland County
    MI); the map then shows no dot rather than a wrong one.
    """
    dropped = drafts.report.get("coordinates_dropped_outside_state", 0)
    for pid in sorted(drafts.drafts):
        d = drafts.drafts[pid]
        state = d.newest("state")
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
    drafts.report["coordinates_dropped_outside_state"] = dropped


def add_census_regions(drafts: ProgramDrafts) -> None:
    """Census region and division from the state."""
    for d in drafts.drafts.values():
        state = d.newest("state")
        if not state:
            continue
        place = place_of(str(state))
        d.add("region", place.region, CENSUS, 2020)
        d.add("division", place.division, CENSUS, 2020)
