"""Profile files: TOML or JSON, read the same way by the CLI and the web upload, and written back.

Reading is safe on hostile files: at most `MAX_FILE_BYTES`, nesting at most `MAX_DEPTH` deep,
integers of at most `MAX_DIGITS` digits, UTF-8 text (a BOM is allowed). Anything else is rejected
with `InvalidInput` naming the file's problem; the fields are then checked by the profile model.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from smartpick.core.profile.applicant import ApplicantProfile
from smartpick.core.profile.validation import profile_from_dict
from smartpick.errors import InvalidInput, NotFound

# The results page's list options that are not profile fields (the budget is one), kept in a
# profile file's `[list]` table so the file gives the page's list again.
LIST_TABLE = "list"
LIST_KEYS = ("count", "match_value_usd", "pin", "exclude")
MAX_FILE_BYTES = 64 * 1024
MAX_DEPTH = 8  # a profile needs 3 (profile -> usce list -> block)
MAX_DIGITS = 20
FIELD = "profile_file"


def _too_long(text: str) -> int:
    if len(text.lstrip("-+")) > MAX_DIGITS:
        raise _NumberTooLong
    return int(text)


class _NumberTooLong(ValueError):
    pass


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _fail(name: str, why: str) -> InvalidInput:
    return InvalidInput(f"{FIELD}: {name!r} {why}", field=FIELD)


def read_profile_data(raw: bytes, name: str) -> dict[str, Any]:
    """The fields of a profile file's bytes (`.json` by name, else TOML), before validation."""
    shown = name[-80:] or "the file"
    if len(raw) > MAX_FILE_BYTES:
        raise _fail(shown, f"is larger than {MAX_FILE_BYTES // 1024} KB; a profile is far smaller")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail(shown, "is not UTF-8 text; save it as UTF-8") from None
    is_json = name.lower().endswith(".json")
    try:
        if is_json:
            data = json.loads(text, parse_int=_too_long, parse_constant=_no_constant)
        else:
            data = tomllib.loads(text)
    except _NotFinite as err:
        raise _fail(
            shown,
            f"has {err.constant} at {_where(text, err.constant)}; a number must be finite",
        ) from None
    except _NumberTooLong:
        raise _fail(shown, f"has a number longer than {MAX_DIGITS} digits") from None
    except RecursionError:
        raise _fail(shown, f"is nested more than {MAX_DEPTH} levels deep") from None
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as err:
        kind = "JSON" if is_json else "TOML"
        raise _fail(shown, f"is not valid {kind}: {str(err)[:120]}") from None
    except ValueError as err:  # tomllib: an integer beyond Python's digit limit
        raise _fail(shown, f"has a value that cannot be read: {str(err)[:80]}") from None
    if not isinstance(data, dict):
        raise _fail(shown, "must hold a table of fields (name = value)")
    if _depth(data) > MAX_DEPTH:
        raise _fail(shown, f"is nested more than {MAX_DEPTH} levels deep")
    if not is_json:
        _check_toml_numbers(data, shown)
    return data


class _NotFinite(ValueError):
    def __init__(self, constant: str) -> None:
        super().__init__(constant)
        self.constant = constant


def _no_constant(text: str) -> Any:
    raise _NotFinite(text)


def _where(text: str, word: str) -> str:
    """Where `word` first stands outside quotes in `text`, as "line L column C" (JSON's words)."""
    found = re.search(rf'(?<![\w"]){re.escape(word)}(?![\w"])', text)
    if found is None:
        return "somewhere"
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
    return f"line {line} column {column}"


def _check_toml_numbers(value: Any, shown: str) -> None:
    if isinstance(value, int) and not isinstance(value, bool):
        if len(str(abs(value))) > MAX_DIGITS:
            raise _fail(shown, f"has a number longer than {MAX_DIGITS} digits")
    elif isinstance(value, float) and not math.isfinite(value):
        raise _fail(shown, "has a value that is not a finite number (nan or inf)")
    elif isinstance(value, dict):
        for v in value.values():
            _check_toml_numbers(v, shown)
    elif isinstance(value, list):
        for v in value:
            _check_toml_numbers(v, shown)


def read_profile_file(raw: bytes, name: str) -> tuple[ApplicantProfile, dict[str, Any]]:
    """A validated profile from a file's bytes and the list options of its `[list]` table
    (`LIST_KEYS`; empty without one): the web upload and the CLI both use this."""
    data = read_profile_data(raw, name)
    options = _list_options(data.pop(LIST_TABLE, {}), name[-80:] or "the file")
    return profile_from_dict(data), options


def _list_options(table: Any, shown: str) -> dict[str, Any]:
    """The `[list]` table's options, each of its kind; their ranges are the list's to check."""
    if not isinstance(table, dict):
        raise _fail(shown, f"has a '{LIST_TABLE}' that is not a table of list options")
    for key, value in table.items():
        if key not in LIST_KEYS:
            raise _fail(
                shown, f"has an unknown list option {key!r}; allowed: {', '.join(LIST_KEYS)}"
            )
        if key in ("pin", "exclude"):
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
            kind = "a list of program ids"
        else:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            kind = "a number"
        if not ok:
            raise _fail(shown, f"has a list option {key!r} that is not {kind}")
    return dict(table)


def read_profile(raw: bytes, name: str) -> ApplicantProfile:
    """A validated profile from a file's bytes (its list options left aside)."""
    return read_profile_file(raw, name)[0]


def load_profile_file(path: str | Path) -> tuple[ApplicantProfile, dict[str, Any]]:
    """Load a profile and its list options (`read_profile_file`) from a .toml or .json file."""
    file = Path(path)
    if file.is_dir():
        raise InvalidInput(
            f"profile: '{file}' is a folder; give a profile file (.toml or .json)", field="profile"
        )
    if not file.is_file():
        raise NotFound(f"profile: no such file '{file}'", field="profile")
    if file.stat().st_size > MAX_FILE_BYTES:
        raise _fail(file.name, f"is larger than {MAX_FILE_BYTES // 1024} KB")
    return read_profile_file(file.read_bytes(), file.name)


def load_profile(path: str | Path) -> ApplicantProfile:
    """Load a profile from a .toml or .json file (its list options left aside)."""
    return load_profile_file(path)[0]


def profile_data(
    profile: ApplicantProfile, options: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The profile as plain data, with the list options of `LIST_KEYS` in `options` as its
    `[list]` table; unknown (None) values are left out."""
    data = profile.model_dump(mode="json", exclude_none=True)
    kept = {k: v for k, v in (options or {}).items() if k in LIST_KEYS and v not in (None, [])}
    return data | ({LIST_TABLE: kept} if kept else {})


def profile_toml(profile: ApplicantProfile, options: dict[str, Any] | None = None) -> str:
    """The profile (and the page's list options) as TOML that `load_profile_file` reads back
    unchanged."""
    header = (
        "# SmartPick applicant profile.\n"
        "# Load it with `smartpick recommend --profile FILE` or open it on the web page.\n"
        "# Its [list] table, if any, keeps the page's number of applications, value of a match,\n"
        "# pinned and excluded programs; the command's own options (--count, --match-value,\n"
        "# --include, --exclude) override them.\n\n"
    )
    return header + tomli_w.dumps(profile_data(profile, options))


def profile_json(profile: ApplicantProfile, options: dict[str, Any] | None = None) -> str:
    """The profile (and the page's list options) as JSON that `load_profile_file` reads back
    unchanged."""
    return json.dumps(profile_data(profile, options), indent=2, ensure_ascii=False) + "\n"


def profile_json_schema() -> dict[str, Any]:
    """The JSON Schema of a profile file."""
    return ApplicantProfile.model_json_schema()
