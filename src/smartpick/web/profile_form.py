"""The profile form's fields, generated from `ApplicantProfile` (`web.form_values` reads them).

Every profile field has a form field (several US clinical experience blocks, letters per specialty,
exam dates, the Match year...). Bounds, defaults and choices come from the profile model's fields
(`web.form_fields` builds one field from one model field); this module only adds the words a
person reads (labels, hints) and the layout.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from smartpick.core.geography import REGIONS, STATES
from smartpick.core.lists.request import COUNT_RANGE, MATCH_VALUE_RANGE
from smartpick.core.profile import UsceEntry
from smartpick.core.profile.applicant import FIRST_GRADUATION_YEAR
from smartpick.core.profile.entries import usce_block_name, usce_part_name
from smartpick.core.profile.validation import field_bounds as _bounds
from smartpick.core.rules.season import default_match_year
from smartpick.service.wording import default_match_value
from smartpick.web.form_fields import (
    Choice,
    FieldGroup,
    FormField,
    choices,
    date_field,
    field_info,
    literal_values,
    max_length_of,
    number_field,
    select_field,
    text_field,
)

USCE_BLOCKS = 8  # the profile allows this many blocks (UsceEntry list max_length)
# Pinned / excluded programs: catalog ids (ACGME code + track letter), at most this many each.
PROGRAM_ID_PATTERN = r"^[0-9A-Za-z]{6,16}$"
STEP1_CHOICES = ("pass", "fail_then_pass", "score", "not_taken")


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


def stray_usce_block(names: Iterable[str]) -> str | None:
    """A message about the first parameter that names a USCE block outside 1..USCE_BLOCKS (it
    would be dropped unread), or None."""
    numbers = {str(block) for block in range(1, USCE_BLOCKS + 1)}
    for name in names:
        found = re.fullmatch(r"usce-(\w+)-\w+", name)
        if found and found.group(1) not in numbers:
            return (
                f"US clinical experience: {name[:40]!r} names block {found.group(1)[:12]}; "
                f"the blocks are numbered 1 to {USCE_BLOCKS}."
            )
    return None


def _usce_group(
    block: int, specialties: tuple[Choice, ...], states: tuple[Choice, ...]
) -> FieldGroup:
    kind = field_info("kind", UsceEntry)
    fields = (
        number_field(
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
                for v in literal_values(kind)
            ),
        ),
        FormField(
            usce_name(block, "institution"),
            "Hospital or university",
            "text",
            hint="Its name as programs write it (used for ties to programs).",
            max_length=max_length_of(field_info("institution", UsceEntry)),
        ),
        FormField(
            usce_name(block, "program_id"),
            "Catalog program id (if known)",
            "text",
            max_length=max_length_of(field_info("program_id", UsceEntry)),
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
    )
    return FieldGroup(
        usce_block_name(block),
        tuple(replace(f, message_name=usce_part_name(block, f.label.lower())) for f in fields),
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
    match_lo, match_hi = _bounds(field_info("match_year"))
    return (
        FieldGroup(
            "About you",
            (
                select_field(
                    "applicant_type",
                    "Applicant type",
                    {
                        "non_us_img": "Non-US-citizen IMG",
                        "us_img": "US-citizen IMG",
                        "us_md": "US MD senior or graduate",
                        "us_do": "DO senior or graduate",
                    },
                ),
                select_field(
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
                text_field(
                    "citizenship",
                    "Country of citizenship",
                    "Name or two-letter code; shows current US entry restrictions for it.",
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
                    minimum=FIRST_GRADUATION_YEAR,
                    maximum=match_hi,  # the latest Match year; the profile checks its own
                    allowed_words=f"a whole number from {FIRST_GRADUATION_YEAR} to the Match year",
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
                number_field(
                    "step2ck", "Step 2 CK score", "Your three-digit score; empty if not taken."
                ),
                number_field(
                    "step2ck_attempts", "Step 2 CK attempts", "1 if you passed the first time."
                ),
                date_field("step2ck_date", "Step 2 CK taken (month)"),
                FormField(
                    "step1",
                    "Step 1 result",
                    "select",
                    hint="Step 1 is pass/fail since 2022; older results may have a score.",
                    default="pass",
                    choices=choices(
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
                    number_field(
                        "step1_attempts", "Step 1 attempts", "Attempts in all, including a fail."
                    ),
                    secondary=True,
                ),
                date_field("step1_date", "Step 1 taken (month)"),
                number_field("step3", "Step 3 score", "Leave empty if not taken."),
                replace(number_field("step3_attempts", "Step 3 attempts"), secondary=True),
                date_field("step3_date", "Step 3 taken (month)"),
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
                number_field("us_letters", "US letters of recommendation"),
                FormField(
                    "us_letters_in_specialty",
                    "…of which in your first specialty",
                    "number",
                    default=0,
                    minimum=0,
                    maximum=_bounds(field_info("us_letters"))[1],
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
                number_field("abstracts", "Abstracts"),
                number_field("posters", "Posters"),
                number_field("publications", "Publications"),
                number_field("research_months", "Months of research work", decimal=True),
                text_field("research_institution", "Where you did research"),
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
                text_field("name", "A name for this profile", "Shown only in your files."),
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
                    minimum=_bounds(field_info("budget_usd"))[0],
                    maximum=_bounds(field_info("budget_usd"))[1],
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
                    "match_value_usd",
                    "What matching this season is worth to you (USD)",
                    "decimal",
                    hint=f"Default ${default_match_value().value:,.0f}, the median first-year "
                    "resident salary (2026). The list stops where one more application is not "
                    "worth its fee at this value.",
                    minimum=MATCH_VALUE_RANGE[0],
                    maximum=MATCH_VALUE_RANGE[1],
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
