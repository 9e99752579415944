"""Pydantic models of the query parameters, so the OpenAPI schema documents what the API accepts.

They are built from the profile form (`profile_form.build_form_spec`, itself generated from the
profile model) by `create_app`, never at import time. Numbers accept plain ASCII digits only, as
the form does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model, model_validator
from pydantic_core import PydanticCustomError

from smartpick.web.form_fields import (
    MAX_SHORTLIST,
    FieldGroup,
    FormField,
    all_fields,
    distinct_program_ids,
)

# One what-if change, or several joined by "|": key=value (e.g. step3=235|usce_months=4).
SET_PATTERN = r"^[a-z][a-z0-9_]*=[^|=]+(\|[a-z][a-z0-9_]*=[^|=]+)*$"
_WHOLE = re.compile(r"\s*[0-9]+\s*")
_DECIMAL = re.compile(r"\s*([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*")


class BlankIsMissing(BaseModel):
    """Query models where an empty value (an untouched form field) counts as not given."""

    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _drop_blanks(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            cleaned = {}
            for key, value in data.items():
                if isinstance(value, list):
                    value = [v for v in value if not (isinstance(v, str) and not v.strip())]
                elif isinstance(value, str) and not value.strip():
                    continue
                cleaned[key] = value
            return cleaned
        return data


# An empty value (an untouched form field, or "" from a script) counts as not given
# (`BlankIsMissing`): the schema says so, as an alternative to the field's own type.
BLANK = {"type": "string", "pattern": r"^\s*$", "description": "Empty: not given."}


def _or_blank(schema: dict[str, Any]) -> None:
    """Add `BLANK` to a parameter's schema (to its items' for a list: a blank item is dropped)."""
    target = schema["items"] if schema.get("type") == "array" else schema
    alternatives = target.pop("anyOf", None) or [dict(target)]
    if "anyOf" not in target:
        for key in list(target):
            if key not in ("title", "description", "default"):
                del target[key]
    target["anyOf"] = [*alternatives, BLANK]


def _ascii_number(pattern: re.Pattern[str]) -> BeforeValidator:
    def check(value: Any) -> Any:
        if isinstance(value, str) and not pattern.fullmatch(value):
            # worded by the API's one translation of errors, with the field's range
            raise PydanticCustomError("number_text", "not written with the digits 0-9")
        return value

    return BeforeValidator(check)


def _definition(f: FormField) -> tuple[Any, Any]:
    description = f"{f.label}. {f.hint}".strip()
    if f.kind in ("number", "decimal"):
        kind: Any = int if f.kind == "number" else float
        checked = Annotated[
            kind,
            Field(ge=f.minimum, le=f.maximum, allow_inf_nan=False)
            if f.kind == "decimal"
            else Field(ge=f.minimum, le=f.maximum),
            _ascii_number(_WHOLE if f.kind == "number" else _DECIMAL),
        ]
        if f.required:
            return checked, Field(..., description=description)
        return checked | None, Field(None, description=description, json_schema_extra=_or_blank)
    if f.kind == "states":
        text_item = Annotated[str, Field(max_length=f.max_length)]
        return list[text_item], Field(
            [], max_length=60, description=description, json_schema_extra=_or_blank
        )
    if f.kind == "programs":
        program_id = Annotated[str, Field(max_length=16, pattern=f.pattern)]
        distinct = BeforeValidator(lambda v: distinct_program_ids(v) if isinstance(v, list) else v)
        return Annotated[list[program_id], distinct], Field(
            [], max_length=MAX_SHORTLIST, description=description, json_schema_extra=_or_blank
        )
    if f.kind in ("select", "multiselect"):
        values = tuple(c.value for c in f.choices if c.value)
        choice: Any = Literal[values]
        if f.kind == "multiselect":
            if f.required:
                return Annotated[list[choice], Field(min_length=1)], Field(
                    ..., description=description, json_schema_extra=_or_blank
                )
            return list[choice], Field([], description=description, json_schema_extra=_or_blank)
        return choice | None, Field(
            None, description=f"{f.label}. Default {f.default}.", json_schema_extra=_or_blank
        )
    text: Any = Annotated[str, Field(max_length=f.max_length, pattern=f.pattern)]
    return text | None, Field(None, description=description, json_schema_extra=_or_blank)


def profile_query_model(spec: Sequence[FieldGroup]) -> type[BaseModel]:
    """The profile form's query parameters as a model (documents `/api/results` and friends)."""
    definitions: dict[str, Any] = {name: _definition(f) for name, f in all_fields(spec).items()}
    return create_model("ProfileQuery", __base__=BlankIsMissing, **definitions)


def whatif_query_model(profile_model: type[BaseModel]) -> type[BaseModel]:
    """The profile's parameters plus `set` (repeatable `key=value` what-if changes)."""
    item = Annotated[str, Field(min_length=3, max_length=400, pattern=SET_PATTERN)]
    return create_model(
        "WhatIfQuery",
        __base__=profile_model,
        set=(
            list[item],
            Field(..., min_length=1, description="Changes as key=value, e.g. step3=235 (repeat)."),
        ),
    )
