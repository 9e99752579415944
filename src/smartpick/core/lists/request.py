"""The list asked for, validated once: limits, filters, preferences, and how ERAS groups fees.

`recommend` reads every option through here, so the CLI, the web page and the library accept the
same values with the same messages. The budget's range is the profile's `budget_usd` field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from smartpick.core.chances.results import ProgramFacts
from smartpick.core.geography import place_of, resolve_region
from smartpick.core.profile import ApplicantProfile
from smartpick.core.profile.numbers import check_number
from smartpick.core.profile.validation import field_bounds
from smartpick.core.programs import SETTINGS, Program
from smartpick.errors import InvalidInput

PREFERENCE_DIMENSIONS = ("programs", "states", "regions", "settings")
OTHERS = "*"  # the value of every state / region / setting not named in a preference map
TRACKS = ("categorical", "preliminary", "advanced", "single")
COUNT_RANGE = (1, 400)  # applications in one list (the form, the what-ifs and the CLI)
MATCH_VALUE_RANGE = (100.0, 500_000.0)  # what a user may give as the value of a match (USD)
_lo, _hi = field_bounds(ApplicantProfile.model_fields["budget_usd"])
BUDGET_RANGE = (float(_lo or 0), float(_hi or 100_000))


@dataclass(frozen=True)
class ListFilters:
    """Which programs the applicant allows in the list (None: no restriction)."""

    states: frozenset[str] | None
    exclude_states: frozenset[str]
    regions: frozenset[str] | None
    settings: frozenset[str] | None
    tracks: frozenset[str]
    exclude: frozenset[str]

    def allows(self, facts: ProgramFacts) -> NDArray[np.bool_]:
        """Which programs pass every filter, from their facts (an unknown place or setting
        passes only the filters that exclude)."""
        state = facts["state"]
        keep = np.isin(facts["track"], list(self.tracks))
        for column, wanted in (
            (state, self.states),
            (facts["region"], self.regions),
            (facts["setting"], self.settings),
        ):
            if wanted is not None:
                keep &= np.isin(column, list(wanted))
        if self.exclude_states:
            keep &= ~np.isin(state, list(self.exclude_states))
        if self.exclude:
            keep &= ~np.isin(facts["id"], list(self.exclude))
        return keep

    def words(self) -> list[str]:
        """Each filter in force, in words (the categorical track alone is no filter)."""
        out = []
        for label, wanted in (
            ("only in", self.states),
            ("only in the", self.regions),
            ("only settings", self.settings),
        ):
            if wanted is not None:
                out.append(f"{label} {', '.join(sorted(wanted))}")
        if self.exclude_states:
            out.append(f"not in {', '.join(sorted(self.exclude_states))}")
        if self.tracks != {"categorical"}:
            out.append(f"only tracks {', '.join(sorted(self.tracks))}")
        if self.exclude:
            out.append(f"{len(self.exclude)} programs you excluded")
        return out


def check_limits(
    budget_usd: float | None, count: int | None, match_value_usd: float | None
) -> None:
    """The list's budget (the profile's `budget_usd` range), count and value of a match."""
    if budget_usd is not None:
        check_number("budget_usd", budget_usd, lo=BUDGET_RANGE[0], hi=BUDGET_RANGE[1], whole=False)
    if count is not None:
        check_number("count", count, lo=COUNT_RANGE[0], hi=COUNT_RANGE[1], whole=True)
    if match_value_usd is not None:
        lo, hi = MATCH_VALUE_RANGE
        check_number("match_value_usd", match_value_usd, lo=lo, hi=hi, whole=False)


def read_states(codes: Sequence[str] | None, field_name: str) -> set[str] | None:
    if codes is None:
        return None
    out = set()
    for code in codes:
        try:
            out.add(place_of(code).state)
        except InvalidInput as exc:
            message = exc.message.replace("state:", f"{field_name}:")
            raise InvalidInput(message, field=field_name) from None
    return out


def read_regions(names: Sequence[str] | None) -> set[str] | None:
    return None if names is None else {resolve_region(n) for n in names}


def read_settings(names: Sequence[str] | None) -> set[str] | None:
    if names is None:
        return None
    out: set[str] = set()
    for name in names:
        key = name.strip().lower().replace("-", "_").replace(" ", "_")
        if key not in SETTINGS:
            raise InvalidInput(
                f"settings: '{name}' is not a program setting. Allowed: {', '.join(SETTINGS)}.",
                field="settings",
            )
        out.add(key)
    return out


def read_tracks(names: Sequence[str]) -> set[str]:
    out = {name.strip().lower() for name in names}
    bad = sorted(out - set(TRACKS))
    if bad or not out:
        raise InvalidInput(
            f"tracks: {', '.join(bad) or 'none given'} — allowed: {', '.join(TRACKS)}.",
            field="tracks",
        )
    return out


def read_preferences(
    preferences: Mapping[str, Mapping[str, float]] | None,
) -> dict[str, dict[str, float]] | None:
    """Validated preference maps: {"programs"|"states"|"regions"|"settings": {name: 0..1}}."""
    if not preferences:
        return None
    out: dict[str, dict[str, float]] = {}
    for dim, values in preferences.items():
        if dim not in PREFERENCE_DIMENSIONS:
            raise InvalidInput(
                f"preferences: '{dim}' is not a preference kind. "
                f"Allowed: {', '.join(PREFERENCE_DIMENSIONS)}.",
                field="preferences",
            )
        clean: dict[str, float] = {}
        for name, value in values.items():
            if not (isinstance(value, int | float) and 0 <= value <= 1):
                raise InvalidInput(
                    f"preferences.{dim}: {name!r} must be a number from 0 to 1, got {value!r}",
                    field=f"preferences.{dim}",
                )
            try:
                key = name if name == OTHERS else _preference_key(dim, name)
            except InvalidInput as err:  # said about the preference, not the state filter
                why = err.message.split(": ", 1)[-1]
                raise InvalidInput(
                    f"preferences.{dim}: {why}", field=f"preferences.{dim}"
                ) from None
            clean[key] = float(value)
        out[dim] = clean
    return out


def _preference_key(dim: str, name: str) -> str:
    """The catalog's name of a preference's state, region, setting or program."""
    if dim == "states":
        return place_of(name).state
    if dim == "regions":
        return resolve_region(name)
    if dim == "settings":
        return next(iter(read_settings([name]) or {name}))
    return name.strip().upper()


def preference_value(program: Program, prefs: Mapping[str, Mapping[str, float]]) -> float:
    """A program's value: its own if given, else the lowest of its state/region/setting values."""
    own = prefs.get("programs", {}).get(program.id)
    if own is not None:
        return own
    value = 1.0
    for dim, fact in (
        ("states", program.state),
        ("regions", program.region),
        ("settings", program.setting),
    ):
        table = prefs.get(dim)
        if not table:
            continue
        named = table.get(str(fact.value)) if fact.value is not None else None
        value = min(value, named if named is not None else table.get(OTHERS, 1.0))
    return value


def fee_group(program: Program) -> str:
    """ERAS prices each specialty separately; a preliminary track counts as its own specialty."""
    return fee_group_of(program.specialty, program.track)


def fee_group_of(specialty: str, track: str) -> str:
    """`fee_group` from a program's specialty and track."""
    return f"{specialty} (preliminary)" if track == "preliminary" else specialty


def fee_groups(facts: ProgramFacts) -> tuple[str, ...]:
    """Each program's `fee_group`, from the programs' facts (one name per specialty and track)."""
    specialty, track = facts["specialty"], facts["track"]
    out = np.empty(specialty.size, dtype=object)
    left = np.ones(specialty.size, dtype=bool)
    # one comparison per group (there are one to four), not a sort of the names (np.unique)
    while left.any():
        first = int(left.argmax())
        name, kind = specialty[first].item(), track[first].item()
        same = (specialty == name) & (track == kind)
        out[same] = fee_group_of(name, kind)
        left &= ~same
    return tuple(out.tolist())
