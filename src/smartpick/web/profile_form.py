"""The profile form's fields, generated from `ApplicantProfile` (`web.form_values` reads them).

Every profile field has a form field (several US clinical experience blocks, letters per specialty,
exam dates, the Match year...). Bounds, defaults and choices come from the profile model's fields;
this module only adds the words a person reads (labels, hints) and the layout.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from pydantic.fields import FieldInfo

from smartpick.core.geography import REGIONS, STATES
from smartpick.core.lists.request import COUNT_RANGE, STOP_MAX_PP
from smartpick.core.profile import ApplicantProfile, UsceEntry
from smartpick.core.profile.numbers import allowed_range
from smartpick.core.profile.validation import field_bounds as _bounds
from smartpick.core.rules.season import default_match_year
from smartpick.core.rules.usmle import TEST_DATE_PATTERN

USCE_BLOCKS = 8  # the profile allows this many blocks (UsceEntry list max_length)
# Pinned / excluded programs: catalog ids (ACGME code + track letter), at most this many each.
PROGRAM_ID_PATTERN = r"^[0-9A-Za-z]{6,16}$"
MAX_SHORTLIST = 100
STEP1_CHOICES = ("pass", "fail_then_pass", "score", "not_taken")


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

    @property
    def allowed(self) -> str:
        """The allowed values in words, used by every error message about this field."""
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


def _choices(*pairs: tuple[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(v, label) for v, label in pairs)


def _info(name: str, model: type[Any] = ApplicantProfile) -> FieldInfo:
    info: FieldInfo = model.model_fields[name]
    return info


def _max_length(info: FieldInfo, default: int = 200) -> int:
    for meta in info.metadata:
        if getattr(meta, "max_length", None) is not None:
            return int(meta.max_length)
    return default


def _literal_values(info: FieldInfo) -> tuple[str, ...]:
    args = typing.get_args(info.annotation)
    for arg in (info.annotation, *args):
        if typing.get_origin(arg) is typing.Literal:
            return tuple(str(a) for a in typing.get_args(arg))
    return ()


def _number(
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
    info = _info(field_name or name, model)
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


def _select(
    name: str, label: str, labels: Mapping[str, str], hint: str = "", default: Any = None
) -> FormField:
    info = _info(name)
    values = _literal_values(info)
    return FormField(
        name,
        label,
        "select",
        hint=hint,
        default=default if default is not None else info.default,
        choices=tuple(Choice(v, labels.get(v, v)) for v in values),
    )


def _date(name: str, label: str) -> FormField:
    return FormField(
        name,
        label,
        "text",
        hint="Month of the test, YYYY-MM: it decides the passing score.",
        max_length=10,
        pattern=TEST_DATE_PATTERN,
        secondary=True,
    )


def _text(name: str, label: str, hint: str = "", model: type[Any] = ApplicantProfile) -> FormField:
    return FormField(name, label, "text", hint=hint, max_length=_max_length(_info(name, model)))


# Listed first in the form: the specialties the guide calls "often more open to IMGs" (plus
# Pediatrics), where most of SmartPick's users apply; the others follow alphabetically.
COMMON_FOR_IMGS = (
    "Internal Medicine",
    "Family Medicine",
    "Pediatrics",
    "Psychiatry",
    "Neurology",
    "Pathology",
)


def _specialty_order(names: Sequence[str]) -> list[str]:
    first = [n for n in COMMON_FOR_IMGS if n in names]
    return first + sorted(n for n in names if n not in first)


def usce_name(block: int, part: str) -> str:
    """The query parameter of one part of a USCE block, e.g. `usce-1-months`."""
    return f"usce-{block}-{part}"


def _usce_group(
    block: int, specialties: tuple[Choice, ...], states: tuple[Choice, ...]
) -> FieldGroup:
    kind = _info("kind", UsceEntry)
    return FieldGroup(
        f"US clinical experience, block {block}",
        (
            _number(
                usce_name(block, "months"),
                "Months",
                "Leave empty for no block.",
                model=UsceEntry,
                field_name="months",
                decimal=True,
            ),
            FormField(
                usce_name(block, "kind"),
                "Kind",
                "select",
                hint="Hands-on (externship, sub-internship) counts more than observing.",
                default="hands_on",
                choices=tuple(
                    Choice(v, {"hands_on": "Hands-on", "observership": "Observership"}[v])
                    for v in _literal_values(kind)
                ),
            ),
            FormField(
                usce_name(block, "institution"),
                "Hospital or university",
                "text",
                hint="Its name as programs write it (used for ties to programs).",
                max_length=_max_length(_info("institution", UsceEntry)),
            ),
            FormField(
                usce_name(block, "program_id"),
                "Catalog program id (if known)",
                "text",
                max_length=_max_length(_info("program_id", UsceEntry)),
                secondary=True,
            ),
            FormField(usce_name(block, "state"), "State", "select", choices=states, secondary=True),
            FormField(
                usce_name(block, "specialty"),
                "Specialty",
                "select",
                choices=specialties,
                secondary=True,
            ),
        ),
        advanced=block > 1,
        block=block,
        more="Its program id, state and specialty",
    )


def build_form_spec(
    specialties: Sequence[str], today: dt.date | None = None
) -> tuple[FieldGroup, ...]:
    """The form's fields; `specialties` comes from the catalog so the list is never stale."""
    match_year = default_match_year(today)
    state_choices = tuple(Choice(s, s) for s in STATES)
    ordered = _specialty_order(specialties)
    specialty_choices = tuple(Choice(s, s) for s in ordered)
    none = (Choice("", "-"),)
    match_lo, match_hi = _bounds(_info("match_year"))
    return (
        FieldGroup(
            "About you",
            (
                _select(
                    "applicant_type",
                    "Applicant type",
                    {
                        "non_us_img": "Non-US-citizen IMG",
                        "us_img": "US-citizen IMG",
                        "us_md": "US MD senior or graduate",
                        "us_do": "DO senior or graduate",
                    },
                ),
                _select(
                    "visa",
                    "Visa you will need",
                    {
                        "none": "None (citizen or green card)",
                        "j1": "J-1",
                        "h1b": "H-1B",
                        "either": "J-1 or H-1B",
                    },
                    hint="J-1 is sponsored by ECFMG; an H-1B needs a passed Step 3.",
                    default="j1",
                ),
                FormField(
                    "match_year",
                    "Match you apply to",
                    "number",
                    hint=f"The {match_year} Match is the next season you can still enter.",
                    default=match_year,
                    minimum=match_lo,
                    maximum=match_hi,
                ),
                FormField(
                    "graduation_year",
                    "Medical school graduation year",
                    "number",
                    hint="The year you graduated or will graduate (up to the Match year).",
                    default=match_year - 2,
                    required=True,
                    minimum=_bounds(_info("graduation_year"))[0],
                    maximum=match_hi,
                ),
                FormField(
                    "specialties",
                    "Specialties you will apply to",
                    "multiselect",
                    hint="Tick one, or two for a backup (e.g. IM + FM).",
                    default=["Internal Medicine"],
                    required=True,
                    choices=specialty_choices,
                    common=len([n for n in COMMON_FOR_IMGS if n in specialties]),
                ),
            ),
        ),
        FieldGroup(
            "USMLE",
            (
                _number(
                    "step2ck", "Step 2 CK score", "Your three-digit score; empty if not taken."
                ),
                _number(
                    "step2ck_attempts", "Step 2 CK attempts", "1 if you passed the first time."
                ),
                _date("step2ck_date", "Step 2 CK taken (month)"),
                FormField(
                    "step1",
                    "Step 1 result",
                    "select",
                    hint="Step 1 is pass/fail since 2022; older results may have a score.",
                    default="pass",
                    choices=_choices(
                        ("pass", "Passed"),
                        ("fail_then_pass", "Failed, then passed"),
                        ("score", "Numeric score (enter below)"),
                        ("not_taken", "Not taken yet"),
                    ),
                ),
                FormField(
                    "step1_score",
                    "Step 1 score (if numeric)",
                    "number",
                    hint="Only with 'Numeric score' above.",
                    minimum=1,
                    maximum=300,
                ),
                replace(
                    _number(
                        "step1_attempts", "Step 1 attempts", "Attempts in all, including a fail."
                    ),
                    secondary=True,
                ),
                _date("step1_date", "Step 1 taken (month)"),
                _number("step3", "Step 3 score", "Leave empty if not taken."),
                replace(_number("step3_attempts", "Step 3 attempts"), secondary=True),
                _date("step3_date", "Step 3 taken (month)"),
            ),
            more="Exam dates and other attempts",
        ),
        *(
            _usce_group(b, none + specialty_choices, none + state_choices)
            for b in range(1, USCE_BLOCKS + 1)
        ),
        FieldGroup(
            "US letters",
            (
                _number("us_letters", "US letters of recommendation"),
                FormField(
                    "us_letters_in_specialty",
                    "…of which in your first specialty",
                    "number",
                    default=0,
                    minimum=0,
                    maximum=_bounds(_info("us_letters"))[1],
                ),
                FormField(
                    "other_letters",
                    "…and in other specialties",
                    "text",
                    hint="E.g. 'Family Medicine: 1'; several separated by semicolons.",
                    max_length=300,
                ),
            ),
        ),
        FieldGroup(
            "Research, languages, places",
            (
                _number("abstracts", "Abstracts"),
                _number("posters", "Posters"),
                _number("publications", "Publications"),
                _number("research_months", "Months of research work", decimal=True),
                _text("research_institution", "Where you did research"),
                FormField(
                    "languages",
                    "Languages besides English",
                    "text",
                    hint="Separated by commas, e.g. Spanish, Arabic.",
                    max_length=300,
                ),
                FormField(
                    "preferred_regions",
                    "Preferred regions",
                    "multiselect",
                    default=[],
                    choices=tuple(Choice(r, r) for r in REGIONS),
                ),
                FormField(
                    "preferred_states",
                    "Preferred states",
                    "states",
                    hint="Names or two-letter codes, separated by commas (e.g. Ohio, MI).",
                    default=[],
                    max_length=400,
                ),
                FormField(
                    "ties_states",
                    "States where you live or have ties",
                    "states",
                    hint="Names or two-letter codes, separated by commas (e.g. Texas).",
                    default=[],
                    max_length=400,
                ),
                FormField(
                    "connections",
                    "Programs or institutions where you have a connection",
                    "text",
                    hint="'Name or program id: kind' (rotation, alumni, faculty or other); "
                    "several separated by semicolons.",
                    max_length=1000,
                ),
                _text("name", "A name for this profile", "Shown only in your files."),
            ),
            advanced=True,
        ),
        FieldGroup(
            "Your list",
            (
                FormField(
                    "budget_usd",
                    "Fee budget (USD)",
                    "decimal",
                    hint="ERAS fees only; leave empty to let SmartPick decide.",
                    minimum=_bounds(_info("budget_usd"))[0],
                    maximum=_bounds(_info("budget_usd"))[1],
                ),
                FormField(
                    "count",
                    "Number of applications (at most)",
                    "number",
                    hint="Leave empty to let SmartPick decide.",
                    minimum=COUNT_RANGE[0],
                    maximum=COUNT_RANGE[1],
                ),
                FormField(
                    "stop_pp",
                    "Stop when one more application adds less than (percentage points)",
                    "decimal",
                    hint="Empty: SmartPick's default, half a percentage point of your chance of "
                    "matching.",
                    minimum=0,
                    maximum=STOP_MAX_PP,
                ),
                FormField(
                    "pin",
                    "Programs you pinned",
                    "programs",
                    hint="Always on your list. Pin programs from your results or a program page.",
                    default=[],
                    pattern=PROGRAM_ID_PATTERN,
                ),
                FormField(
                    "exclude",
                    "Programs you excluded",
                    "programs",
                    hint="Never on your list. Untick one to let the optimizer choose it again.",
                    default=[],
                    pattern=PROGRAM_ID_PATTERN,
                ),
            ),
        ),
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
