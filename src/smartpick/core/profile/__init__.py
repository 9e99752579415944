"""The applicant profile: the model with its rules, profile files, and what-ifs.

`ApplicantProfile` is the only place where a profile field's bounds and meaning are declared.
"""

from smartpick.core.profile.applicant import ApplicantProfile
from smartpick.core.profile.entries import Connection, UsceEntry
from smartpick.core.profile.files import (
    load_profile,
    load_profile_file,
    profile_json,
    profile_json_schema,
    profile_toml,
    read_profile,
    read_profile_file,
)
from smartpick.core.profile.validation import profile_from_dict
from smartpick.core.profile.values import STATE_CODES

__all__ = [
    "STATE_CODES",
    "ApplicantProfile",
    "Connection",
    "UsceEntry",
    "load_profile",
    "load_profile_file",
    "profile_from_dict",
    "profile_json",
    "profile_json_schema",
    "profile_toml",
    "read_profile",
    "read_profile_file",
]
