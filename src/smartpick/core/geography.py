"""US states and territories → Census Bureau region and division (pure lookup).

Regions and divisions follow the Census Bureau's "Census Regions and Divisions of the United
States". Puerto Rico and the other territories belong to no Census region: they map to `None`.
"""

from __future__ import annotations

from dataclasses import dataclass

from smartpick.errors import InvalidInput


@dataclass(frozen=True)
class Place:
    """A state's Census region and division."""

    state: str
    region: str | None
    division: str | None


_DIVISIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "New England": ("Northeast", ("CT", "ME", "MA", "NH", "RI", "VT")),
    "Middle Atlantic": ("Northeast", ("NJ", "NY", "PA")),
    "East North Central": ("Midwest", ("IL", "IN", "MI", "OH", "WI")),
    "West North Central": ("Midwest", ("IA", "KS", "MN", "MO", "NE", "ND", "SD")),
    "South Atlantic": ("South", ("DE", "DC", "FL", "GA", "MD", "NC", "SC", "VA", "WV")),
    "East South Central": ("South", ("AL", "KY", "MS", "TN")),
    "West South Central": ("South", ("AR", "LA", "OK", "TX")),
    "Mountain": ("West", ("AZ", "CO", "ID", "MT", "NV", "NM", "UT", "WY")),
    "Pacific": ("West", ("AK", "CA", "HI", "OR", "WA")),
}

TERRITORIES: tuple[str, ...] = ("PR", "GU", "VI", "AS", "MP")

REGIONS: tuple[str, ...] = ("Northeast", "Midwest", "South", "West")
DIVISIONS: tuple[str, ...] = tuple(_DIVISIONS)

_PLACES: dict[str, Place] = {
    state: Place(state, region, division)
    for division, (region, states) in _DIVISIONS.items()
    for state in states
}
_PLACES.update({t: Place(t, None, None) for t in TERRITORIES})

STATES: tuple[str, ...] = tuple(sorted(_PLACES))


def place_of(state: str) -> Place:
    """Census region and division of a two-letter state code (case-insensitive).

    Raises InvalidInput for a code that is not a US state, DC or territory.
    """
    code = state.strip().upper()
    found = _PLACES.get(code)
    if found is None:
        raise InvalidInput(
            f"state: '{state}' is not a US state code. Allowed: {', '.join(STATES)}.",
            field="state",
        )
    return found


def resolve_region(name: str) -> str:
    """Canonical spelling of a Census region name (case-insensitive); InvalidInput otherwise."""
    for region in REGIONS:
        if region.casefold() == name.strip().casefold():
            return region
    raise InvalidInput(
        f"region: '{name}' is not a Census region. Allowed: {', '.join(REGIONS)}.",
        field="region",
    )
