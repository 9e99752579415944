"""Program search filters: validation, the SQL they become, and the same test in Python."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smartpick.catalog.evidence import nonus_img_rate
from smartpick.core.geography import place_of, resolve_region, state_code
from smartpick.core.programs import SETTINGS, Program
from smartpick.core.specialties import resolve_specialty
from smartpick.errors import InvalidInput

# User-facing visa names → catalog field.
VISA_FIELDS = {"J-1": "visa_j1", "H-1B": "visa_h1b"}
TRACKS = ("categorical", "preliminary")
MAX_LIMIT = 10_000
MAX_MIN_POSITIONS = 500  # the largest minimum of PGY-1 positions a search takes (CLI and web)
# Search orders: by name (the default) or by a column; numbers sort highest first by default.
SORT_KEYS = (
    "name",
    "specialty",
    "state",
    "setting",
    "pgy1_positions",
    "pct_non_us_img",
    "nonus_img_interview_rate",
)
NUMERIC_SORTS = ("pgy1_positions", "pct_non_us_img", "nonus_img_interview_rate")
ORDERS = ("asc", "desc")


@dataclass(frozen=True)
class SearchFilters:
    """Validated search filters; `None` means "any"."""

    specialty: str | None = None
    track: str | None = None
    state: str | None = None
    region: str | None = None
    setting: str | None = None
    visa: str | None = None
    min_non_us_img_pct: float | None = None
    min_positions: int | None = None
    min_nonus_img_interview_pct: float | None = None  # latest cycle's rate, percent 0-100
    text: str | None = None
    sort: str = "name"
    descending: bool = False
    limit: int = 50
    offset: int = 0

    @classmethod
    def parse(cls, **raw: Any) -> SearchFilters:
        """Check and normalize raw filter values; InvalidInput names the field and allowed range."""
        spec = raw.get("specialty")
        track = raw.get("track")
        state = raw.get("state")
        region = raw.get("region")
        setting = raw.get("setting")
        visa = raw.get("visa")
        text = raw.get("text")
        if track is not None and track not in TRACKS:
            raise InvalidInput(
                f"track: '{track}' is not a track. Allowed: {', '.join(TRACKS)}.", field="track"
            )
        if setting is not None and setting not in SETTINGS:
            raise InvalidInput(
                f"setting: '{setting}' is not a program setting. Allowed: {', '.join(SETTINGS)}.",
                field="setting",
            )
        if visa is not None:
            visa = _visa_name(str(visa))
        min_img = raw.get("min_non_us_img_pct")
        if min_img is not None and not 0 <= float(min_img) <= 100:
            raise InvalidInput(
                f"min_non_us_img_pct: {min_img} is out of range; allowed 0 to 100.",
                field="min_non_us_img_pct",
            )
        min_rate = raw.get("min_nonus_img_interview_pct")
        if min_rate is not None and not 0 <= float(min_rate) <= 100:
            raise InvalidInput(
                f"min_nonus_img_interview_pct: {min_rate} is out of range; allowed 0 to 100.",
                field="min_nonus_img_interview_pct",
            )
        sort = raw.get("sort") or "name"
        if sort not in SORT_KEYS:
            raise InvalidInput(
                f"sort: '{str(sort)[:40]}' is not a column to sort by. "
                f"Allowed: {', '.join(SORT_KEYS)}.",
                field="sort",
            )
        order = raw.get("order") or ("desc" if sort in NUMERIC_SORTS else "asc")
        if order not in ORDERS:
            raise InvalidInput(
                f"order: '{str(order)[:40]}' is not an order. Allowed: asc, desc.", field="order"
            )
        min_pos = raw.get("min_positions")
        if min_pos is not None and not 0 <= int(min_pos) <= MAX_MIN_POSITIONS:
            raise InvalidInput(
                f"min_positions: {min_pos} is out of range; allowed 0 to {MAX_MIN_POSITIONS}.",
                field="min_positions",
            )
        limit = int(raw.get("limit", 50) if raw.get("limit") is not None else 50)
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput(
                f"limit: {limit} is out of range; allowed 1 to {MAX_LIMIT}.", field="limit"
            )
        offset = int(raw.get("offset") or 0)
        if offset < 0:
            raise InvalidInput(f"offset: {offset} must be 0 or more.", field="offset")
        return cls(
            specialty=resolve_specialty(spec).name if spec else None,
            track=track,
            state=_state_code(state) if state else None,
            region=resolve_region(region) if region else None,
            setting=setting,
            visa=visa,
            min_non_us_img_pct=None if min_img is None else float(min_img),
            min_positions=None if min_pos is None else int(min_pos),
            min_nonus_img_interview_pct=None if min_rate is None else float(min_rate),
            text=text.strip() if text and text.strip() else None,
            sort=sort,
            descending=order == "desc",
            limit=limit,
            offset=offset,
        )

    def matches(self, p: Program) -> bool:
        """True when the program satisfies every filter (the Python twin of `where`)."""
        if self.specialty is not None and p.specialty != self.specialty:
            return False
        if self.track is not None and p.track != self.track:
            return False
        if self.state is not None and p.state.value != self.state:
            return False
        if self.region is not None and p.region.value != self.region:
            return False
        if self.setting is not None and p.setting.value != self.setting:
            return False
        if self.visa is not None and getattr(p, VISA_FIELDS[self.visa]).value != "yes":
            return False
        if self.min_non_us_img_pct is not None:
            share = p.pct_non_us_img.value
            if share is None or share < self.min_non_us_img_pct:
                return False
        if self.min_positions is not None:
            positions = p.pgy1_positions.value
            if positions is None or positions < self.min_positions:
                return False
        if self.min_nonus_img_interview_pct is not None:
            rc = nonus_img_rate(p)
            if rc is None or rc.rate is None or 100 * rc.rate < self.min_nonus_img_interview_pct:
                return False
        return self.text is None or self.text.casefold() in p.name.casefold()


def _state_code(text: str) -> str:
    """A state code from a code or a full name ("Texas", "tx" → "TX"); InvalidInput otherwise."""
    by_name = state_code(text)
    if by_name is not None:
        return by_name
    try:
        return place_of(text).state
    except InvalidInput:
        raise InvalidInput(
            f"state: '{text.strip()[:40]}' is not a US state. Write its name (e.g. Texas) or "
            f"its two-letter code (e.g. TX).",
            field="state",
        ) from None


def _visa_name(text: str) -> str:
    key = text.strip().upper().replace("_", "-").replace(" ", "")
    aliases = {"J1": "J-1", "J-1": "J-1", "H1B": "H-1B", "H-1B": "H-1B"}
    if key not in aliases:
        raise InvalidInput(
            f"visa: '{text}' is not a visa filter. Allowed: {', '.join(VISA_FIELDS)}.",
            field="visa",
        )
    return aliases[key]
