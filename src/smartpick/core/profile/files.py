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


def read_profile(raw: bytes, name: str) -> ApplicantProfile:
    """A validated profile from a file's bytes (the web upload and the CLI both use this)."""
    return profile_from_dict(read_profile_data(raw, name))


def load_profile(path: str | Path) -> ApplicantProfile:
    """Load a profile from a .toml or .json file."""
    file = Path(path)
    if file.is_dir():
        raise InvalidInput(
            f"profile: '{file}' is a folder; give a profile file (.toml or .json)", field="profile"
        )
    if not file.is_file():
        raise NotFound(f"profile: no such file '{file}'", field="profile")
    if file.stat().st_size > MAX_FILE_BYTES:
        raise _fail(file.name, f"is larger than {MAX_FILE_BYTES // 1024} KB")
    return read_profile(file.read_bytes(), file.name)


def profile_data(profile: ApplicantProfile) -> dict[str, Any]:
    """The profile as plain data; unknown (None) values are left out."""
    return profile.model_dump(mode="json", exclude_none=True)


def profile_toml(profile: ApplicantProfile) -> str:
    """The profile as TOML that `load_profile` reads back unchanged."""
    header = (
        "# SmartPick applicant profile.\n"
        "# Load it with `smartpick recommend --profile FILE` or open it on the web page.\n\n"
    )
    return header + tomli_w.dumps(profile_data(profile))


def profile_json(profile: ApplicantProfile) -> str:
    """The profile as JSON that `load_profile` reads back unchanged."""
    return json.dumps(profile_data(profile), indent=2, ensure_ascii=False) + "\n"


def profile_json_schema() -> dict[str, Any]:
    """The JSON Schema of a profile file."""
    return ApplicantProfile.model_json_schema()
