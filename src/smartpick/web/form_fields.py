"""One form field and how it is built from a field of the profile model: the bounds, choices and
lengths come from the model (`ApplicantProfile`, `UsceEntry`); `web.profile_form` lays them out."""

from __future__ import annotations

import typing
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from pydantic.fields import FieldInfo

from smartpick.core.profile import ApplicantProfile
from smartpick.core.profile.numbers import allowed_range
from smartpick.core.profile.validation import field_bounds as _bounds
from smartpick.core.rules.usmle import TEST_DATE_PATTERN

MAX_SHORTLIST = 100  # pinned / excluded programs, at most this many each


def distinct_program_ids(values: Sequence[str]) -> list[str]:
    """Program ids as the form counts them: trimmed, upper-case, each once (a link that pins one
    program twice pins it once, on the page and in the API alike)."""
    return list(dict.fromkeys(v.strip().upper() for v in values))


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class FormField:
    """One input. `kind`: number, decimal, select, multiselect, text, programs (catalog ids).

    Ranges are inclusive."""

    name: str
    label: str
    kind: str
    hint: str = ""
    default: Any = None
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Choice, ...] = ()
    max_length: int = 200
    pattern: str | None = None
    secondary: bool = False  # shown behind the group's "more" disclosure (fewer Tab stops)
    common: int = 0  # multiselect: the first `common` choices are shown, the rest behind "more"
    # the allowed values in words where a bound is another field's (the graduation year's)
    allowed_words: str = ""
    # how error messages name the field where its label alone is ambiguous (a USCE block's part)
    message_name: str = ""

    @property
    def named(self) -> str:
        """The field as every error message about it names it."""
        return self.message_name or self.label

    @property
    def allowed(self) -> str:
        """The allowed values in words, used by every error message about this field."""
        if self.allowed_words:
            return self.allowed_words
        if self.kind in ("number", "decimal"):
            return allowed_range(self.minimum, self.maximum, self.kind == "number")
        if self.choices:
            return "one of: " + ", ".join(c.label for c in self.choices)
        if self.kind == "states":
            return "US states by name or two-letter code, separated by commas"
        if self.kind == "programs":
            return f"up to {MAX_SHORTLIST} catalog program ids (e.g. 1405100435C)"
        if self.pattern:
            return "a month as YYYY-MM (e.g. 2024-05)"
        return f"text up to {self.max_length} characters"


@dataclass(frozen=True)
class FieldGroup:
    legend: str
    fields: tuple[FormField, ...]
    advanced: bool = False
    block: int = 0  # a US clinical experience block (1..USCE_BLOCKS); 0: not a block
    more: str = "More"  # the label of the disclosure holding the group's secondary fields


def choices(*pairs: tuple[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(v, label) for v, label in pairs)


def field_info(name: str, model: type[Any] = ApplicantProfile) -> FieldInfo:
    info: FieldInfo = model.model_fields[name]
    return info


def max_length_of(info: FieldInfo, default: int = 200) -> int:
    for meta in info.metadata:
        if getattr(meta, "max_length", None) is not None:
            return int(meta.max_length)
    return default


def literal_values(info: FieldInfo) -> tuple[str, ...]:
    args = typing.get_args(info.annotation)
    for arg in (info.annotation, *args):
        if typing.get_origin(arg) is typing.Literal:
            return tuple(str(a) for a in typing.get_args(arg))
    return ()


def number_field(
    name: str,
    label: str,
    hint: str = "",
    *,
    model: type[Any] = ApplicantProfile,
    field_name: str | None = None,
    decimal: bool = False,
    required: bool = False,
    maximum: float | None = None,
) -> FormField:
    info = field_info(field_name or name, model)
    lo, hi = _bounds(info)
    default = info.default if isinstance(info.default, int | float) else None
    return FormField(
        name,
        label,
        "decimal" if decimal else "number",
        hint=hint,
        default=None if isinstance(default, bool) else default,
        required=required,
        minimum=lo,
        maximum=maximum if maximum is not None else hi,
    )


def select_field(
    name: str, label: str, labels: Mapping[str, str], hint: str = "", default: Any = None
) -> FormField:
    info = field_info(name)
    values = literal_values(info)
    return FormField(
        name,
        label,
        "select",
        hint=hint,
        default=default if default is not None else info.default,
        choices=tuple(Choice(v, labels.get(v, v)) for v in values),
    )


def date_field(name: str, label: str) -> FormField:
    return FormField(
        name,
        label,
        "text",
        hint="Month of the test, YYYY-MM: it decides the passing score.",
        max_length=10,
        pattern=TEST_DATE_PATTERN,
        secondary=True,
    )


def text_field(
    name: str, label: str, hint: str = "", model: type[Any] = ApplicantProfile
) -> FormField:
    return FormField(
        name, label, "text", hint=hint, max_length=max_length_of(field_info(name, model))
    )


def all_fields(spec: Sequence[FieldGroup]) -> dict[str, FormField]:
    """Fields by name."""
    return {f.name: f for group in spec for f in group.fields}


def defaults(spec: Sequence[FieldGroup]) -> dict[str, Any]:
    """The form's starting values (what a first-time visitor sees)."""
    return {f.name: (f.default if f.default is not None else "") for f in all_fields(spec).values()}


def spec_to_dict(spec: Sequence[FieldGroup]) -> list[dict[str, Any]]:
    """The form description for the JSON twin."""
    return [
        {
            "legend": group.legend,
            "advanced": group.advanced,
            "fields": [{**asdict(f), "allowed": f.allowed} for f in group.fields],
        }
        for group in spec
    ]
