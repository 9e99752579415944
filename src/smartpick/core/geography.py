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

# Full names of the states, DC and the territories, as sources that spell them out write them.
STATE_NAMES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island",
    "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "PR": "Puerto Rico",
    "GU": "Guam", "VI": "U.S. Virgin Islands", "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}  # fmt: skip
_CODE_BY_NAME = {name.casefold(): code for code, name in STATE_NAMES.items()}


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


def state_code(name: str) -> str | None:
    """Two-letter code of a state written out in full ("New York" → "NY"); None if unknown."""
    return _CODE_BY_NAME.get(" ".join(name.split()).casefold())


def resolve_region(name: str) -> str:
    """Canonical spelling of a Census region name (case-insensitive); InvalidInput otherwise."""
    for region in REGIONS:
        if region.casefold() == name.strip().casefold():
            return region
    raise InvalidInput(
        f"region: '{name}' is not a Census region. Allowed: {', '.join(REGIONS)}.",
        field="region",
    )


# Approximate bounding boxes (lat_min, lat_max, lon_min, lon_max) of each state, in degrees.
# Used only to catch a geocoder that placed a program in a same-named city of another state
# (Oakland CA at Oakland County MI, Jackson TN at Jackson MI); they are padded by BOX_SLACK_DEG.
_STATE_BOXES: dict[str, tuple[float, float, float, float]] = {
    "AL": (30.1, 35.1, -88.5, -84.9),
    "AK": (51.2, 71.5, -179.2, -129.9),
    "AZ": (31.3, 37.0, -114.9, -109.0),
    "AR": (33.0, 36.5, -94.7, -89.6),
    "CA": (32.5, 42.0, -124.5, -114.1),
    "CO": (36.9, 41.1, -109.1, -102.0),
    "CT": (40.9, 42.1, -73.8, -71.8),
    "DE": (38.4, 39.9, -75.8, -75.0),
    "DC": (38.79, 39.0, -77.12, -76.9),
    "FL": (24.4, 31.0, -87.7, -79.9),
    "GA": (30.3, 35.0, -85.7, -80.8),
    "HI": (18.9, 22.3, -160.3, -154.8),
    "ID": (41.9, 49.0, -117.3, -111.0),
    "IL": (36.9, 42.5, -91.6, -87.0),
    "IN": (37.7, 41.8, -88.1, -84.8),
    "IA": (40.3, 43.5, -96.7, -90.1),
    "KS": (36.9, 40.0, -102.1, -94.6),
    "KY": (36.5, 39.2, -89.6, -81.9),
    "LA": (28.9, 33.0, -94.1, -88.8),
    "ME": (43.0, 47.5, -71.1, -66.9),
    "MD": (37.9, 39.8, -79.5, -75.0),
    "MA": (41.2, 42.9, -73.5, -69.9),
    "MI": (41.7, 48.3, -90.5, -82.1),
    "MN": (43.5, 49.4, -97.3, -89.5),
    "MS": (30.1, 35.0, -91.7, -88.1),
    "MO": (35.9, 40.6, -95.8, -89.1),
    "MT": (44.3, 49.0, -116.1, -104.0),
    "NE": (40.0, 43.0, -104.1, -95.3),
    "NV": (35.0, 42.0, -120.0, -114.0),
    "NH": (42.7, 45.3, -72.6, -70.6),
    "NJ": (38.9, 41.4, -75.6, -73.9),
    "NM": (31.3, 37.0, -109.1, -103.0),
    "NY": (40.5, 45.0, -79.8, -71.8),
    "NC": (33.8, 36.6, -84.3, -75.4),
    "ND": (45.9, 49.0, -104.1, -96.5),
    "OH": (38.4, 42.0, -84.8, -80.5),
    "OK": (33.6, 37.0, -103.0, -94.4),
    "OR": (41.9, 46.3, -124.6, -116.5),
    "PA": (39.7, 42.3, -80.5, -74.7),
    "RI": (41.1, 42.0, -71.9, -71.1),
    "SC": (32.0, 35.2, -83.4, -78.5),
    "SD": (42.5, 45.9, -104.1, -96.4),
    "TN": (34.98, 36.7, -90.3, -81.6),
    "TX": (25.8, 36.5, -106.7, -93.5),
    "UT": (37.0, 42.0, -114.1, -109.0),
    "VT": (42.7, 45.0, -73.4, -71.5),
    "VA": (36.5, 39.5, -83.7, -75.2),
    "WA": (45.5, 49.0, -124.8, -116.9),
    "WV": (37.2, 40.6, -82.6, -77.7),
    "WI": (42.5, 47.1, -92.9, -86.2),
    "WY": (41.0, 45.0, -111.1, -104.0),
    "PR": (17.9, 18.6, -67.3, -65.2),
}
BOX_SLACK_DEG = 0.25


def within_state(state: str, latitude: float, longitude: float) -> bool | None:
    """Whether a point lies in (the padded bounding box of) a state; None if the state is unknown."""
    box = _STATE_BOXES.get(state.strip().upper())
    if box is None:
        return None
    lat_min, lat_max, lon_min, lon_max = box
    s = BOX_SLACK_DEG
    return lat_min - s <= latitude <= lat_max + s and lon_min - s <= longitude <= lon_max + s
