"""The optimized list in plain sentences, and as the downloads show it, for every face.

Each listed program gets a few sentences: the applicant's own choice, what the program did in
its latest cycle (unless the model's reasons already say it), the model's reasons for it (worded
by the model), what its signal and its place in the list are worth, its fee and visas. Reasons that every listed program of a
specialty shares are about the applicant, not the program: they are returned once
(`shared`), not on every row.
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Iterable, Sequence
from itertools import filterfalse
from typing import Any

from smartpick.catalog.evidence import invited_sentence
from smartpick.catalog.query import Catalog, program_summary
from smartpick.core.chances.evidence import NON_US, type_rate
from smartpick.core.lists.result import ListedProgram, Recommendation
from smartpick.core.lists.signals import signal_allowance, signal_noun
from smartpick.core.plan.figures import points, small_percent
from smartpick.core.programs import Program, once_per_program
from smartpick.core.rules.policy import fact_possibly_outdated, h1b_payment

# A signal's effect at a program that shows no interview rates by signal is an assumption
TYPICAL_SIGNAL = (
    " (assumed: it shows no interview rates by signal, so a typical program's effect is used)."
)


@functools.cache  # a list's rows count 1, 2, 3 ... again on every request
def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _visa_sentence(program: Program) -> str:
    parts = []
    for name, fact in (("J-1", program.visa_j1), ("H-1B", program.visa_h1b)):
        if fact.value is None:
            parts.append(f"{name}: unknown")
            continue
        status = {"yes": "yes", "no": "no", "none_listed": "none listed"}.get(
            str(fact.value), str(fact.value)
        )
        cite = fact.source or ""
        if name == "H-1B" and fact.value == "yes" and fact_possibly_outdated(fact.year):
            # dated when the process first writes the program's sentences (a server restarts)
            in_force = h1b_payment().in_force(_dt.date.today())
            cite += f"{'; ' if cite else ''}possibly outdated: {in_force}"
        parts.append(f"{name}: {status} ({cite})" if cite else f"{name}: {status}")
    return "Visas: " + "; ".join(parts) + "."


@once_per_program
def _program_sentences(p: Program) -> tuple[str | None, str, bool, bool]:
    """The program's latest cycle and visas in sentences, whether it publishes a non-US IMG
    rate and whether it publishes interview rates by signal, worked out once per process (they
    depend on the catalog and the bundled visa facts only)."""
    ev = p.interview_evidence
    invited = invited_sentence(p)
    source = ev.source if ev else ""
    latest = f"In its latest cycle it {invited} ({source})." if invited else None
    signal_rates = ev is not None and ev.publishes_signal_rates
    return latest, _visa_sentence(p), type_rate(ev) is not None, signal_rates


def common_reasons(
    listed: Sequence[ListedProgram], tops: Sequence[Sequence[str]]
) -> dict[str, list[str]]:
    """Per specialty, the model's reasons that every listed program of it shares (two or more);
    `tops`: each listed program's reasons, in list order."""
    by_specialty: dict[str, list[Sequence[str]]] = {}
    for item, top in zip(listed, tops, strict=True):
        by_specialty.setdefault(item.program.specialty, []).append(top)
    out: dict[str, list[str]] = {}
    for specialty, rows in by_specialty.items():
        if len(rows) < 2:
            continue
        shared = set(rows[0])
        for top in rows[1:]:
            if not shared:
                break
            shared.intersection_update(top)
        ordered = [r for r in rows[0] if r in shared]
        if ordered:
            out[specialty] = ordered
    return out


def signal_nouns(specialty: str, season: int) -> dict[str, str]:
    """Each signal level a specialty has in an ERAS season, as a sentence names it: {"gold": "a
    signal"} where it has one kind, {"silver": "a silver signal", "gold": "a gold signal"} where
    it has two, {} where it has none."""
    allowance = signal_allowance(specialty, season)
    levels = ("gold",) if allowance.single_kind else ("silver", "gold") if allowance.total else ()
    return {level: signal_noun(allowance.name(level)) for level in levels}


def _details(
    item: ListedProgram,
    own_reasons: Iterable[str],
    unknowns: Sequence[str],
    order_in_specialty: int,
    preferred: bool,
    non_us: bool,
) -> list[str]:
    """The row's plain sentences: the applicant's choice, the 2026 evidence, the model's own
    reasons for this program, signal, weight in the list, fee and visas (`non_us`: whether the
    applicant is a non-US IMG)."""
    p = item.program
    lines = []
    if item.must_include:
        lines.append("You pinned it: it stays on your list whatever the optimizer prefers.")
    invited, visas, non_us_rate, signal_rates = _program_sentences(p)
    # The model's reasons open with the rate of the applicant's own type where the program
    # publishes it: for a non-US IMG that is this sentence's figure, said once.
    said_by_model = non_us and non_us_rate
    if invited and not said_by_model:
        lines.append(invited)
    lines.extend(own_reasons)
    if item.signal != "none":
        lines.append(
            f"{signal_noun(item.signal_name).capitalize()} raises your interview chance here from "
            f"{small_percent(item.p_interview_unsignaled)} to {small_percent(item.p_interview.point)}"
            + ("." if signal_rates else TYPICAL_SIGNAL)
        )
    lines.append(
        "Leaving it out would lower your chance of matching with this list by "
        f"{points(item.contribution_pp / 100, signed=False)} percentage points."
        if item.contribution_pp >= 0.05
        else "Leaving it out would change your chance of matching by less than 0.1 "
        "percentage point."
    )
    if preferred:
        lines.append(f"It is in an area you prefer ({p.state.value}, {p.region.value}).")
    if unknowns:
        lines.append("Not known for this program: " + ", ".join(unknowns) + ".")
    lines.append(
        f"ERAS fee ${item.fee_usd}: your {_ordinal(order_in_specialty)} {p.specialty} "
        "application (the fee per program rises with the number of programs)."
    )
    lines.append(visas)
    return lines


def program_lines(
    recommendation: Recommendation,
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Per listed program id its plain sentences, and per specialty the reasons all rows share."""
    # Rows and reasons are built when first read: only the listed programs' are. The rows of a
    # list share its writer (`ListedProgram.written`), which reads them all in list order.
    listed = recommendation.programs
    tops, unknowns = listed[0].written.shown() if listed else ([], [])
    shared = common_reasons(listed, tops)
    said_once = {specialty: set(common) for specialty, common in shared.items()}
    profile = recommendation.assessment.profile
    regions, states = set(profile.preferred_regions), set(profile.preferred_states)
    non_us = profile.applicant_type == NON_US
    counted: dict[str, int] = {}
    lines = {}
    for item, own, unknown in zip(listed, tops, unknowns, strict=True):
        p = item.program
        specialty = p.specialty
        order = counted[specialty] = counted.get(specialty, 0) + 1
        common = said_once.get(specialty)
        lines[p.id] = _details(
            item,
            own if common is None else filterfalse(common.__contains__, own),
            unknown,
            order,
            p.region.value in regions or p.state.value in states,
            non_us,
        )
    return lines, shared


def export_document(recommendation: Recommendation, catalog: Catalog) -> dict[str, Any]:
    """The list's JSON contract with what the downloads add: each program's catalog facts
    (`facts`) and plain sentences (`why`), the reasons every row shares, and the programs the
    applicant excluded (`excluded_programs`, catalog facts)."""
    doc = recommendation.to_dict()
    lines, shared = program_lines(recommendation)
    for row, item in zip(doc["programs"], recommendation.programs, strict=True):
        row["facts"] = program_summary(item.program)
        row["why"] = lines[item.program.id]
    doc["shared_reasons"] = shared
    doc["excluded_programs"] = [
        program_summary(catalog.get(pid)) for pid in recommendation.constraints.get("exclude") or ()
    ]
    return doc
