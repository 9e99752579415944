"""`smartpick advise` and `smartpick whatif`: the strategy plan and priced what-ifs."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from smartpick.cli.output import (
    FORMAT_OPTION,
    MATCH_VALUE_OPTION,
    OutputFormat,
    emit,
    write_output,
)
from smartpick.cli.profile_options import BUDGET_OPTION
from smartpick.core.chances.estimate import Estimate
from smartpick.core.plan.figures import (
    PLAN_CHANCE,
    count,
    dollars,
    likely_offers,
    likely_percent,
    offers,
    points,
)
from smartpick.core.plan.types import Plan, Price, duration_words
from smartpick.core.profile.whatif import WHATIF_KEYS
from smartpick.errors import InvalidInput


class AdviseFormat(StrEnum):
    """Output of `smartpick advise`."""

    table = "table"
    json = "json"
    pdf = "pdf"


PROFILE_OPTION = typer.Option(..., "--profile", "-p", help="Profile file (.toml or .json).")


def _pp(e: Estimate) -> str:
    return f"{points(e.point)} points (likely {points(e.low)} to {points(e.high)})"


def _num(e: Estimate) -> str:
    return (
        f"{offers(e.point, signed=True)} (likely {offers(e.low, signed=True)} to "
        f"{offers(e.high, signed=True)})"
    )


def _signed_count(n: int) -> str:
    return ("+" if n > 0 else "") + count(n)


def _price_cells(price: Price | None) -> dict[str, str]:
    if price is None:
        return {"chance of matching": "-", "change": "-", "interviews": "-", "fees": "-"}
    shown = price.shown()
    return {
        "chance of matching": f"{shown['p_match_before']} → {shown['p_match_after']}",
        "change": _pp(price.delta_p_match),
        "interviews": _num(price.delta_expected_interviews),
        "fees": dollars(price.delta_fees_usd, signed=True),
    }


def advise(
    profile: Path = PROFILE_OPTION,
    fmt: AdviseFormat = typer.Option(
        AdviseFormat.table, "--format", "-f", help="table, json or pdf"
    ),
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        help="Write to this file (required for pdf).",
    ),
    budget: float | None = BUDGET_OPTION,
    match_value: float | None = MATCH_VALUE_OPTION,
) -> None:
    """The guide's strategy plan for this applicant, each quantifiable step priced by the model.

    JSON: the plan (standing, red_flags, baseline, steps with id,
    title, why, duration_months and price {baseline, changed, delta} with intervals, timeline).
    """
    from smartpick.core.profile import load_profile_file
    from smartpick.service.advise import advise as run_advise

    # the plan prices on the value of a match of the file's [list] table unless given here
    applicant, saved = load_profile_file(profile)
    value = match_value if match_value is not None else saved.get("match_value_usd")
    plan = run_advise(applicant, budget_usd=budget, match_value_usd=value)
    if fmt is AdviseFormat.pdf:
        from smartpick.export.pdf import plan_pdf

        data = plan_pdf(plan)
        if output is None:
            raise InvalidInput("--output: give a file name for the PDF", field="output")
        write_output(output, data)
        typer.echo(f"wrote {output} ({len(data):,} bytes)", err=True)
        return
    if fmt is AdviseFormat.json:
        text = json.dumps(plan.to_dict(), indent=2, default=str)
        if output:
            write_output(output, text + "\n")
        else:
            typer.echo(text)
        return
    _print_plan(plan)


def _print_plan(plan: Plan) -> None:
    standing = plan.standing
    lines = standing.band_lines()
    if standing.specialty is not None:
        lines.append(standing.specialty.summary)
    if standing.percentile_note:
        lines.append(standing.percentile_note)
    lines.extend(standing.other_specialties)
    if plan.baseline is not None:
        base = plan.baseline
        p = base.p_match
        lines.append(
            f"{PLAN_CHANCE}: {likely_percent(p)}, "
            f"{offers(base.expected_interviews.point)} interview offers expected, "
            f"{count(base.programs)} programs, {dollars(base.fees_usd)}"
        )
    if plan.summary:
        typer.echo("In short")
        for line in plan.summary:
            typer.echo(f"  - {line}")
    typer.echo("Where you stand")
    for line in lines:
        typer.echo(f"  - {line}")
    if plan.red_flags:
        emit(
            [
                {
                    "flag": f.title,
                    "detail": f.detail,
                    "ruled out by a stated rule": "not stated"
                    if f.programs_shut is None
                    else count(f.programs_shut),
                    "interview chance clearly lower at": None
                    if f.programs_narrowed is None
                    else count(f.programs_narrowed),
                    "of": count(f.programs_total),
                    "what is known": " ".join(f.notes),
                }
                for f in plan.red_flags
            ],
            OutputFormat.table,
            title="Red flags (programs in the catalog)",
        )
    emit(
        [
            {
                "#": n,
                "step": s.title,
                "how long": duration_words(*s.duration_months),
                **_price_cells(s.price),
            }
            for n, s in enumerate(plan.steps, start=1)
        ],
        OutputFormat.table,
        title="The plan (each priced step re-runs the model and optimizer)",
    )
    for step in plan.steps:
        ties = step.details.get("tie_programs")
        if isinstance(ties, list) and ties:
            emit(
                [
                    {
                        "program": t["name"],
                        "city": t["city"],
                        "state": t["state"],
                        "setting": t["setting"],
                        "non-US IMG %": t["pct_non_us_img"],
                    }
                    for t in ties
                ],
                OutputFormat.table,
                title="USCE sites that would count as ties (state-university or affiliated)",
            )
    emit(
        [
            {
                "months": f"{t.start_month}-{t.end_month}",
                "calendar": "{} to {}".format(*(plan.calendar(t) or (None, None))),
                "what": t.label,
            }
            for t in plan.timeline
        ],
        OutputFormat.table,
        title="Timeline (months from today)",
    )
    for note in plan.notes:
        typer.echo(f"note: {note}")


def whatif(
    profile: Path = PROFILE_OPTION,
    sets: list[str] = typer.Option(
        ...,
        "--set",
        "-s",
        help="A change KEY=VALUE, repeatable, e.g. step3=235 or usce_months=4. Keys: "
        + ", ".join(sorted(WHATIF_KEYS))
        + ". Lists are comma-separated (specialties='Internal Medicine,Family Medicine').",
    ),
    budget: float | None = BUDGET_OPTION,
    match_value: float | None = MATCH_VALUE_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Price what-ifs: re-run the model and optimizer on the changed profile and compare.

    JSON: {changes, change, baseline, changed, delta, note, runs, list_changes}; baseline/changed
    carry p_match and expected_interviews as {point, low, high}, fees_usd and programs;
    list_changes has the programs added to and removed from the list.
    """
    from smartpick.core.profile import load_profile
    from smartpick.core.profile.whatif import parse_value
    from smartpick.service.whatif import whatif as run_whatif
    from smartpick.service.wording import change_words

    changes: dict[str, Any] = {}
    for item in sets:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"--set: '{item}' is not KEY=VALUE", field="set")
        try:
            changes[key.strip()] = parse_value(key.strip(), value)
        except InvalidInput as err:  # about the --set item, even where an option shares its key
            raise InvalidInput(f"--set {err.message}", field=None) from None
    applicant = load_profile(profile)
    result = run_whatif(applicant, changes, budget_usd=budget, match_value_usd=match_value)
    price = result.price  # exact: each figure is rounded once, as it is written
    rows: list[dict[str, object]] = []
    for label, before, after, change, written in (
        (
            "chance of matching",
            price.baseline.p_match,
            price.changed.p_match,
            _pp(price.delta_p_match),
            likely_percent,
        ),
        (
            "expected interview offers",
            price.baseline.expected_interviews,
            price.changed.expected_interviews,
            _num(price.delta_expected_interviews),
            likely_offers,
        ),
    ):
        rows.append(
            {
                "measure": label,
                "baseline": written(before),
                "changed": written(after),
                "change": change,
            }
        )
    rows.append(
        {
            "measure": "fees",
            "baseline": dollars(price.baseline.fees_usd),
            "changed": dollars(price.changed.fees_usd),
            "change": dollars(price.delta_fees_usd, signed=True),
        }
    )
    rows.append(
        {
            "measure": "programs",
            "baseline": count(price.baseline.programs),
            "changed": count(price.changed.programs),
            "change": _signed_count(price.changed.programs - price.baseline.programs),
        }
    )
    emit(rows, fmt, document=result.to_dict(), title=f"What if: {change_words(changes, applicant)}")
    if fmt is OutputFormat.table:
        if price.note:
            typer.echo(price.note)
        for label, moved in (("added to", result.added), ("dropped from", result.removed)):
            if moved:
                names = "; ".join(f"{r['name']} ({r['state']})" for r in moved[:10])
                more = f" and {len(moved) - 10} more" if len(moved) > 10 else ""
                n = len(moved)
                typer.echo(f"{n} program{'' if n == 1 else 's'} {label} the list: {names}{more}")


def register(app: typer.Typer) -> None:
    """Add `advise` and `whatif` to the main app."""
    app.command("advise")(advise)
    app.command("whatif")(whatif)
