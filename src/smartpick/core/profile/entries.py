"""The repeatable entries of a profile: blocks of US clinical experience and connections to
programs or institutions. Their bounds and meanings are declared here, like the profile's own."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from smartpick.core.profile.values import check_specialty, check_state, clean_text, no_boolean

UsceKind = Literal["hands_on", "observership"]
ConnectionKind = Literal["rotation", "alumni", "faculty", "other"]


def usce_block_name(block: int) -> str:
    """How every face names the `block`-th USCE block (counted from 1)."""
    return f"US clinical experience, block {block}"


def usce_part_name(block: int, part: str) -> str:
    """How an error message names one part of a USCE block, e.g. "US clinical experience,
    block 2: months" (a profile may list several blocks; "months" alone does not say which)."""
    return f"{usce_block_name(block)}: {part}"


class UsceEntry(BaseModel):
    """One block of US clinical experience."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    months: float = Field(ge=0, le=120, description="Length in months (0-120).")
    kind: UsceKind = Field(
        description="hands_on (externship, sub-internship, core rotation) or observership."
    )
    institution: str | None = Field(
        default=None, max_length=80, description="Hospital or university name (up to 80)."
    )
    program_id: str | None = Field(
        default=None, max_length=20, description="Catalog program id, if known."
    )
    state: str | None = Field(default=None, description="Two-letter state code.")
    specialty: str | None = Field(default=None, description="Specialty of the rotation.")

    @field_validator("*", mode="before")
    @classmethod
    def _no_boolean(cls, value: Any) -> Any:
        return no_boolean(value)

    @field_validator("state")
    @classmethod
    def _state(cls, value: str | None) -> str | None:
        return None if value is None else check_state(value)

    @field_validator("institution", "program_id", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return clean_text(value)

    @field_validator("months", mode="after")
    @classmethod
    def _months(cls, value: float) -> float:
        return round(value, 2)

    @field_validator("specialty")
    @classmethod
    def _specialty(cls, value: str | None) -> str | None:
        return None if value is None else check_specialty(value)


class Connection(BaseModel):
    """A program or institution where the applicant has a connection (the model's bounded
    connection effect: a rotation counts fully, an alumni, faculty or other tie half)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    program_id: str | None = Field(
        default=None,
        pattern=r"^\d{10}[A-Za-z]?$",
        description="Catalog program id (10 digits and the track letter), if known.",
    )
    institution: str | None = Field(
        default=None,
        max_length=80,
        description="Hospital or university name (up to 80, no semicolons).",
    )
    kind: ConnectionKind = Field(
        default="other",
        description="rotation (you rotated there), alumni, faculty (someone there knows your "
        "work) or other.",
    )

    @field_validator("institution", "program_id", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        value = clean_text(value)
        if isinstance(value, str) and ";" in value:
            raise ValueError("a name may not contain ';' (it separates connections)")
        return value

    @field_validator("program_id", mode="after")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return None if value is None else value.upper()

    @model_validator(mode="after")
    def _named(self) -> Connection:
        if not self.program_id and not self.institution:
            raise ValueError("a connection needs a program_id or an institution")
        return self
