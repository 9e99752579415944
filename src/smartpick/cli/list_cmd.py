"""`smartpick recommend`: the optimized application list for a profile."""

from __future__ import annotations

import sys
from collections import Counter
from enum import StrEnum
from pathlib import Path

import typer

from smartpick.cli.output import MATCH_VALUE_OPTION, OutputFormat, emit, write_output
from smartpick.cli.profile_options import BUDGET_OPTION, COUNT_OPTION, SPECIALTY_OPTION
from smartpick.core.lists.result import Recommendation
from smartpick.core.plan.figures import dollars, likely_percent, points
from smartpick.errors import InvalidInput


class ListFormat(StrEnum):
    """Output of `smartpick recommend`."""

    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


TABLE_COLUMNS = (
    "rank",
    "program_id",
    "name",
    "state",
    "setting",
    "tier",
    "p_interview",
    "signal",
    "fee_usd",
    "contribution_pp",
)


def parse_preferences(items: list[str]) -> dict[str, dict[str, float]] | None:
    """`KIND:NAME=VALUE` items (kind: program, state, region or setting; NAME may be `*`)."""
    if not items:
        return None
    kinds = {"program": "programs", "state": "states", "region": "regions", "setting": "settings"}
    out: dict[str, dict[str, float]] = {}
    for item in items:
        head, _, value = item.partition("=")
        kind, _, name = head.partition(":")
        if kind.strip().lower() not in kinds or not name.strip() or not value.strip():
            raise InvalidInput(
                f"--prefer: '{item}' should look like region:Midwest=1 or setting:*=0.6 "
                f"(kinds: {', '.join(kinds)}; values 0 to 1)",
                field="preferences",
            )
        try:
            number = float(value)
        except ValueError:
            raise InvalidInput(
                f"--prefer: '{value}' in '{item}' is not a number from 0 to 1", field="preferences"
            ) from None
        out.setdefault(kinds[kind.strip().lower()], {})[name.strip()] = number
    return out


def _print_summary(rec: Recommendation) -> None:
    from smartpick.export.tables import LIMIT_WORDS

    echo = typer.echo
    offers = rec.expected_interviews
    echo(
        f"Your chance of matching with this list: {likely_percent(rec.p_match)}   "
        "interview offers you can expect: "
        f"{offers.point:.1f} ({offers.low:.1f}-{offers.high:.1f})"
    )
    if rec.entry_condition is not None:
        echo(rec.entry_condition)
    if rec.expected_value is not None:
        echo(
            f"Expected value of the match (your preferences): {likely_percent(rec.expected_value)}"
        )
    by_specialty = ", ".join(
        f"{s}: {f['applications']} ({dollars(f['fees_usd'])})"
        for s, f in rec.fees_by_specialty.items()
    )
    echo(
        f"Applications: {len(rec.programs)}   fees: {dollars(rec.total_fees_usd)} "
        f"(programs {dollars(rec.program_fees_usd)} + transcript {dollars(rec.transcript_fee_usd)})"
        + (f"   [{by_specialty}]" if by_specialty else "")
    )
    tiers = Counter(p.tier for p in rec.programs)
    echo(f"Tiers: {tiers['reach']} reach, {tiers['target']} target, {tiers['likely']} likely")
    for specialty, sig in rec.signals.items():
        if sig["gold_allowed"] or sig["silver_allowed"]:
            echo(f"Signals, {specialty}: {sig['in_words']} ({sig['note']})")
    echo(f"The list stops at: {LIMIT_WORDS.get(rec.binding, rec.binding)}.")
    echo("How many programs: " + " ".join(rec.how_many.lines))
    marks = sorted({10, 20, 30, 40, 60, 80, 100, 120, 150, len(rec.programs)})
    points = [c for c in rec.curve if c.applications in marks]
    if points:
        echo(
            "Curve: "
            + "  ".join(
                f"{c.applications}→{100 * c.p_match.point:.0f}% ({dollars(c.fees_usd)})"
                for c in points
            )
        )
    for note in rec.notes:
        echo(f"Note: {note}")


def recommend(
    profile: Path = typer.Option(..., "--profile", "-p", help="Profile file (.toml or .json)."),
    budget: float | None = BUDGET_OPTION,
    count: int | None = COUNT_OPTION,
    specialty: list[str] = SPECIALTY_OPTION,
    include: list[str] = typer.Option([], "--include", help="Program id that must be in the list."),
    exclude: list[str] = typer.Option([], "--exclude", help="Program id never to apply to."),
    state: list[str] = typer.Option([], "--state", help="Only programs in this state (repeat)."),
    exclude_state: list[str] = typer.Option([], "--exclude-state", help="No programs here."),
    region: list[str] = typer.Option([], "--region", help="Only this Census region (repeat)."),
    setting: list[str] = typer.Option(
        [], "--setting", help="Only this setting: university, university_affiliated_community, ..."
    ),
    track: list[str] = typer.Option(
        [], "--track", help="Tracks to apply to (default categorical; add preliminary)."
    ),
    prefer: list[str] = typer.Option(
        [],
        "--prefer",
        help="Preference KIND:NAME=VALUE (0-1), e.g. region:Midwest=1 region:*=0.6; "
        "makes the objective the expected value of the match.",
    ),
    match_value: float | None = MATCH_VALUE_OPTION,
    season: int | None = typer.Option(
        None,
        "--season",
        help="ERAS season (= Match year) of fees and signals; default: the profile's Match year.",
    ),
    fmt: ListFormat = typer.Option(
        ListFormat.table, "--format", "-f", help="table, csv, json or xlsx"
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write to this file (needed for xlsx on a terminal)."
    ),
) -> None:
    """The optimized application list: programs, signals, fees, your chance and where to stop.

    JSON: the list (totals, programs, curve, stopping, signals).
    """
    from smartpick.core.profile import load_profile_file
    from smartpick.export.tables import list_csv, list_rows, list_xlsx
    from smartpick.service.catalog import open_catalog
    from smartpick.service.listing import export_document
    from smartpick.service.recommend import recommend as run_recommend

    # the file's [list] table (the web page's list options), unless an option here says otherwise
    applicant, saved = load_profile_file(profile)
    rec = run_recommend(
        applicant,
        budget_usd=budget,
        count=count if count is not None else saved.get("count"),
        specialties=specialty or None,
        must_include=include or saved.get("pin", []),
        exclude=exclude or saved.get("exclude", []),
        states=state or None,
        exclude_states=exclude_state or None,
        regions=region or None,
        settings=setting or None,
        preferences=parse_preferences(prefer),
        tracks=track or ("categorical",),
        match_value_usd=match_value if match_value is not None else saved.get("match_value_usd"),
        season=season,
    )
    doc = rec.to_dict()
    if fmt is ListFormat.xlsx:
        data = list_xlsx(export_document(rec, open_catalog()))
        if output is not None:
            write_output(output, data)
            typer.echo(f"wrote {output} ({len(rec.programs)} programs)", err=True)
        elif sys.stdout.isatty():
            raise InvalidInput("--format xlsx needs --output FILE on a terminal", field="output")
        else:
            sys.stdout.buffer.write(data)
        return
    if output is not None:
        if fmt is ListFormat.csv:
            write_output(output, list_csv(export_document(rec, open_catalog())))
        else:
            import json

            write_output(output, json.dumps(doc, indent=2, default=str))
        typer.echo(f"wrote {output} ({len(rec.programs)} programs)", err=True)
        return
    if fmt is ListFormat.table:
        _print_summary(rec)
        rows = [
            {
                **row,
                "p_interview": f"{100 * row['p_interview']:.0f}%",
                "signal": item.signal_name,
                # one decimal in the whole column, as the page's "Leaving it out" line
                "contribution_pp": points(item.contribution_pp / 100, signed=False),
            }
            for row, item in zip(list_rows(doc), rec.programs, strict=True)
        ]
        # the same name can be a program of each specialty, with its own fees
        several = ("specialty",) if rec.several_specialties else ()
        columns = (*TABLE_COLUMNS[:3], *several, *TABLE_COLUMNS[3:])
        emit(rows, OutputFormat.table, columns=columns, title="Recommended list")
        return
    emit(list_rows(doc), OutputFormat(fmt.value), document=doc)
