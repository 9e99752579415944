"""`smartpick profile example|schema|check`, `chances`, `calibration` and `assumptions`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from smartpick.cli.errors import CommandGroup
from smartpick.cli.output import FORMAT_OPTION, OutputFormat, emit, write_output
from smartpick.cli.profile_options import SPECIALTY_OPTION
from smartpick.errors import InvalidInput

profile_app = CommandGroup(help="Applicant profiles: example, JSON Schema, validation.")


@profile_app.command("example")
def profile_example(
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write to this file instead of printing."
    ),
) -> None:
    """A commented example profile (the guide's sample applicant), as TOML."""
    from smartpick.core.profile.example import example_profile_toml

    text = example_profile_toml()
    if output is None:
        typer.echo(text, nl=False)
        return
    if output.exists():
        raise InvalidInput(f"output: {output} already exists; not overwritten", field="output")
    write_output(output, text)
    typer.echo(f"wrote {output}")


@profile_app.command("schema")
def profile_schema() -> None:
    """The JSON Schema of a profile file."""
    from smartpick.core.profile import profile_json_schema

    typer.echo(json.dumps(profile_json_schema(), indent=2))


@profile_app.command("check")
def profile_check(
    path: Path | None = typer.Argument(None, help="Profile file (.toml or .json)."),
    file_option: Path | None = typer.Option(
        None, "--profile", "-p", help="Profile file (.toml or .json), as other commands take it."
    ),
) -> None:
    """Validate a profile file and print it as JSON (with derived values)."""
    from smartpick.core.profile import load_profile

    file = path or file_option
    if file is None or (path is not None and file_option is not None):
        raise InvalidInput("profile: give one profile file, as -p FILE or as FILE", field="profile")
    profile = load_profile(file)
    data = profile.model_dump(mode="json")
    data["derived"] = {
        "step1_status": profile.step1_status,
        "failed_attempts": profile.failed_attempts,
        "years_since_graduation": profile.years_since_graduation,
        "usce_hands_on_months": profile.usce_hands_on_months,
        "usce_observership_months": profile.usce_observership_months,
    }
    typer.echo(json.dumps(data, indent=2))


def _pct(triple: tuple[float, float, float]) -> str:
    point, low, high = triple
    return f"{100 * point:.1f}% ({100 * low:.1f}-{100 * high:.1f})"


def chances(
    profile: Path = typer.Option(..., "--profile", "-p", help="Profile file (.toml or .json)."),
    specialty: list[str] = SPECIALTY_OPTION,
    program: list[str] = typer.Option([], "--program", help="Program id (repeatable)."),
    top: int = typer.Option(0, "--top", help="Show only the N most likely programs (0: all)."),
    excluded: bool = typer.Option(
        True, "--excluded/--no-excluded", help="List excluded programs (table and CSV)."
    ),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Per-program P(interview) and P(match) with intervals, eligibility and top reasons."""
    from smartpick.core.profile import load_profile
    from smartpick.service.assess import assess

    if top < 0:
        raise InvalidInput("top: must be 0 or more", field="top")
    prof = load_profile(profile)
    result = assess(prof, specialties=specialty or None, program_ids=program or None)
    rows = sorted(result.rows, key=lambda r: -r.p_interview[0])
    if top:
        rows = rows[:top]
    document = result.to_dict()
    document["programs"] = [r.to_dict() for r in rows]
    # several specialties: the same program name may stand once per specialty
    several = len(result.specialties) > 1
    table: list[dict[str, Any]] = [
        {
            "program_id": r.program.id,
            "program": r.program.name,
            **({"specialty": r.program.specialty} if several else {}),
            "state": r.program.state.value,
            "eligible": "yes",
            "P(interview)": _pct(r.p_interview),
            "P(match) alone": _pct(r.p_match),
            "confidence": r.confidence,
            "reasons": list(r.reasons),
        }
        for r in rows
    ]
    if excluded:
        table += [
            {
                "program_id": e.program.id,
                "program": e.program.name,
                **({"specialty": e.program.specialty} if several else {}),
                "state": e.program.state.value,
                "eligible": "no",
                "P(interview)": "0",
                "P(match) alone": "0",
                "confidence": "high",
                "reasons": list(e.reasons),
            }
            for e in result.excluded
        ]
    title = (
        f"{prof.name or profile.name}: {len(result.rows)} eligible, {len(result.excluded)} "
        f"excluded ({', '.join(result.specialties)}); intervals {result.level:.0%}"
    )
    emit(table, fmt, document=document, title=title)
    for note in result.notes:
        if fmt is OutputFormat.table:
            typer.echo(f"note: {note}")


def calibration(
    programs: bool = typer.Option(
        False,
        "--programs",
        help="Per IM and FM categorical program: the model's 2026 non-US IMG interview rate "
        "against the published one.",
    ),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Predicted vs published Charting Outcomes 2026 figures per specialty, and leave-one-out
    (with --programs: the 2026 interview rate of every IM and FM program)."""
    if programs:
        _program_rates(fmt)
        return
    from smartpick.service.calibration import calibration_errors, calibration_report, v1_figures

    report = calibration_report()
    if fmt is OutputFormat.json:
        emit([], fmt, document=report)
        return

    def q(d: dict[str, float] | None) -> str:
        return "-" if d is None else f"{d['q1']:g}/{d['median']:g}/{d['q3']:g}"

    rows = []
    for r in report:
        pred, pub, loo = r["predicted"], r["published"], r["leave_one_out"]
        curve = dict((int(s), p) for s, p in pred["p_match_by_step2ck_ranked"])
        rows.append(
            {
                "specialty": r["specialty"],
                "match rate pred/pub": f"{pred['match_rate']:.1%} / {pub['match_rate']:.1%}",
                "Step 2 CK matched pred | pub": f"{q(pred['step2ck']['matched'])} | "
                f"{q(pub['step2ck']['matched'])}",
                "not matched pred | pub": f"{q(pred['step2ck']['not_matched'])} | "
                f"{q(pub['step2ck']['not_matched'])}",
                "ranks matched pred | pub": f"{q(pred['contiguous_ranks']['matched'])} | "
                f"{q(pub['contiguous_ranks']['matched'])}",
                "ranks not matched pred | pub": f"{q(pred['contiguous_ranks']['not_matched'])} | "
                f"{q(pub['contiguous_ranks']['not_matched'])}",
                "LOO rate, medians": "-"
                if loo is None
                else f"{loo['match_rate']:.1%}, {loo['step2ck']['matched']['median']:g} / "
                f"{loo['step2ck']['not_matched']['median']:g}",
                "P(match | ranked) at 220/240/260": f"{curve[220]:.0%} / {curve[240]:.0%} / "
                f"{curve[260]:.0%}",
            }
        )
    emit(rows, fmt, title="Calibration to NRMP Charting Outcomes 2026 (non-US IMGs)")
    if fmt is OutputFormat.table:
        e = calibration_errors(report)
        typer.echo(
            f"Mean absolute error: match rates {e['match_rate_mae_pp']} pp, Step 2 CK quartiles "
            f"{e['step2ck_quartile_mae_points']} points, contiguous-ranks quartiles "
            f"{e['ranks_quartile_mae']}, P(match | Step 2 CK, ranked) {e['conditional_curve_mae_pp']}"
            f" pp; leave-one-specialty-out: {e['loo_match_rate_mae_pp']} pp, "
            f"{e['loo_step2ck_quartile_mae_points']} points, {e['loo_ranks_quartile_mae']}, "
            f"{e['loo_conditional_curve_mae_pp']} pp"
        )
        v1 = v1_figures()["calibration"]
        ins, loo = v1["errors_in_sample"], v1["errors_leave_one_out"]
        typer.echo(
            f"Before (model v1, 2021 program proxies): {ins['rate']:.2f} pp, {ins['s2ck_q']:.2f} "
            f"points, {ins['ranks_q']:.2f}, {ins['curve']:.2f} pp; leave-one-specialty-out: "
            f"{loo['rate']:.2f} pp, {loo['s2ck_q']:.2f} points, {loo['ranks_q']:.2f}, "
            f"{loo['curve']:.2f} pp"
        )


def _program_rates(fmt: OutputFormat) -> None:
    from smartpick.service.calibration import program_rates

    rows = program_rates()
    if fmt is OutputFormat.json:
        emit([], fmt, document=rows)
        return

    def published(r: dict[str, Any]) -> str:
        pub = r["published"]
        if pub is None:
            return "-"
        return f"{pub['nonus_img_interview_rate']:.0%} of {pub['applicants']:,} ({pub['year']})"

    table = [
        {
            "program_id": r["program_id"],
            "specialty": r["specialty"],
            "predicted 2026 non-US IMG rate": f"{r['predicted']['nonus_img_interview_rate']:.1%}"
            f" ({r['predicted']['low']:.1%}-{r['predicted']['high']:.1%})",
            "published": published(r),
        }
        for r in rows
    ]
    emit(
        table,
        fmt,
        title="2026 non-US IMG interview rate per program: model (80% interval) vs AAMC "
        "Residency Explorer, 2026 cycle",
    )


def assumptions(fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Every assumption of the chance model: value, sensitivity range, sources and reasoning."""
    from smartpick.service.calibration import assumptions as listed

    rows = listed()
    emit(rows, fmt, document=rows, title="The chance model's assumptions, with their ranges")


def register(app: typer.Typer) -> None:
    """Add the profile group and the chances/calibration/assumptions commands to the app."""
    app.add_typer(profile_app, name="profile")
    app.command("chances")(chances)
    app.command("calibration")(calibration)
    app.command("assumptions")(assumptions)
