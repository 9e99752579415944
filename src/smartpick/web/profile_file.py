"""The applicant's profile as a downloadable file (TOML or JSON) that `load_profile` reads back."""

from __future__ import annotations

import json
from typing import Any

from smartpick.core.profile import ApplicantProfile


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{ "
            + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items())
            + " }"
        )
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def profile_toml(profile: ApplicantProfile) -> str:
    """The profile as commented TOML; unknown (None) values are left out."""
    data = profile.model_dump(mode="json")
    usce = data.pop("usce", [])
    lines = [
        "# SmartPick applicant profile, saved from the web page.",
        "# Load it with `smartpick recommend --profile FILE` or keep it for later.",
    ]
    for key, value in data.items():
        if value is None:
            continue
        lines.append(f"{key} = {_toml_value(value)}")
    for block in usce:
        lines.append("")
        lines.append("[[usce]]")
        lines.extend(f"{k} = {_toml_value(v)}" for k, v in block.items() if v is not None)
    return "\n".join(lines) + "\n"


def profile_json(profile: ApplicantProfile) -> str:
    """The profile as JSON; unknown (None) values are left out."""
    return json.dumps(profile.model_dump(mode="json", exclude_none=True), indent=2) + "\n"
