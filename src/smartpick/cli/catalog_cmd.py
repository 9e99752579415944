"""`smartpick catalog …` and `smartpick programs …`: the program catalog on the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from smartpick.cli.errors import CommandGroup
from smartpick.cli.output import FORMAT_OPTION, OutputFormat, emit, heading
from smartpick.service.catalog import (
    MAX_MIN_POSITIONS,
    STATS_FIELDS,
    open_catalog,
    program_summary,
    program_to_dict,
)
from smartpick.service.fact_words import field_label, shown_value

catalog_app = CommandGroup(help="The bundled program catalog: coverage and your own imports.")
programs_app = CommandGroup(help="Find residency programs and see every fact with its source.")

STATS_SHOWN = ("visa_j1", "pct_non_us_img", "pct_img_any", "pgy1_positions", "setting")


def _years(years: list[int]) -> str:
    if not years:
        return "-"
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


@catalog_app.command("stats")
def stats(fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Per specialty and track: programs, and the share of each key field that is known.

    JSON: a list of objects with specialty, track, programs, and for each field F in visa_j1, visa_h1b, pct_non_us_img, pct_img_any, pgy1_positions, setting, applications_received, pct_interviewed, step1_range, latitude: F_known_pct (0-100) and F_years (source years of the known values).
    """
    rows = open_catalog().stats()
    if fmt is OutputFormat.json:
        emit(rows, fmt)
        return
    if fmt is OutputFormat.csv:
        cols = ["specialty", "track", "programs"]
        for name in STATS_FIELDS:
            cols += [f"{name}_known_pct", f"{name}_years"]
        emit(rows, fmt, columns=cols)
        return
    table = []
    for r in rows:
        line: dict[str, Any] = {"specialty": r["specialty"], "track": r["track"]}
        line["programs"] = r["programs"]
        for name in STATS_SHOWN:
            known = f"{r[f'{name}_known_pct']:.0f}% ({_years(r[f'{name}_years'])})"
            line[f"{heading(name)} known"] = known
        table.append(line)
    total = sum(r["programs"] for r in rows)
    emit(table, fmt, title=f"SmartPick catalog: {total} program tracks (% known, source years)")


@catalog_app.command("import")
def import_file(
    file: Path = typer.Argument(..., help="CSV or XLSX; first row: program_id plus fact columns"),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Merge your own spreadsheet of program facts on top of the bundled catalog.

    Columns: program_id (required) and any of min_step1, min_step2ck (1-300), max_years_since_graduation (0-60), usce_required, visa_j1, visa_h1b, visa_f1, accepting_applications (yes/no), pgy1_positions (0-500), pct_non_us_img (0-100), notes. A file with any problem is rejected whole (row, column, reason); nothing is changed.
    """
    report = open_catalog().import_file(file)
    data = report.to_dict()
    emit([data], fmt, document=data, title="Imported")


@catalog_app.command("imports")
def imports(fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Your past imports (oldest first).

    JSON: a list of {import_id, file_name, imported_at, rows, facts}.
    """
    rows = open_catalog().imports()
    emit(
        rows,
        fmt,
        title="Your imports",
        columns=["import_id", "file_name", "imported_at", "rows", "facts"],
    )


@catalog_app.command("forget")
def forget(
    import_id: int = typer.Argument(..., help="the import's id, from `smartpick catalog imports`"),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Undo one import: remove the facts it added (earlier imports and bundled data stay).

    JSON: {import_id, facts_removed}.
    """
    removed = open_catalog().forget_import(import_id)
    data = {"import_id": import_id, "facts_removed": removed}
    emit([data], fmt, document=data, title="Import removed")


@catalog_app.command("report")
def report(fmt: OutputFormat = FORMAT_OPTION) -> None:
    """How the bundled catalog was built: programs matched across sources, joins, conflicts.

    JSON: the build report (how each source was read and joined).
    """
    data = open_catalog().build_report()
    rows: list[dict[str, Any]] = []
    for section, value in data.items():
        if isinstance(value, dict) and section not in ("programs_by_specialty_track",):
            for key, number in value.items():
                if isinstance(number, int | float):
                    rows.append({"section": section, "measure": key, "count": number})
        elif isinstance(value, int):
            rows.append({"section": "catalog", "measure": section, "count": value})
    emit(rows, fmt, document=data, title="How the catalog was built")


@programs_app.command("search")
def search(
    specialty: str | None = typer.Option(None, help="e.g. 'Internal Medicine'"),
    track: str | None = typer.Option(None, help="categorical or preliminary"),
    state: str | None = typer.Option(None, help="state code or name, e.g. NY or 'New York'"),
    region: str | None = typer.Option(None, help="Northeast, Midwest, South or West"),
    setting: str | None = typer.Option(
        None, help="university, university_affiliated_community, community or military"
    ),
    visa: str | None = typer.Option(None, help="J-1 or H-1B: programs that state they consider it"),
    min_non_us_img: float | None = typer.Option(
        None, "--min-non-us-img", help="minimum % of residents who are non-US IMGs (0-100)"
    ),
    min_positions: int | None = typer.Option(
        None, help=f"minimum PGY-1 positions (0-{MAX_MIN_POSITIONS})"
    ),
    min_nonus_img_interview: float | None = typer.Option(
        None,
        "--min-nonus-img-interview",
        help="minimum % of non-US IMG applicants the program invited in 2026 (0-100)",
    ),
    text: str | None = typer.Option(None, "--text", "-t", help="text in the program name"),
    sort: str = typer.Option(
        "name",
        help="name, specialty, state, setting, pgy1_positions, pct_non_us_img or "
        "nonus_img_interview_rate (numbers: highest first)",
    ),
    order: str | None = typer.Option(None, help="asc or desc (default: highest number first)"),
    limit: int = typer.Option(50, help="at most this many programs (1-10000)"),
    offset: int = typer.Option(0, help="skip this many programs first"),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Find programs. Filters combine; unknown values never pass a minimum or visa filter.

    JSON: {"total": N, "limit", "offset", "programs": [{program_id, name, specialty, track, city, state, setting, pgy1_positions, visa_j1, visa_h1b, pct_non_us_img, pct_non_us_img_year, nonus_img_interview_rate, nonus_img_applicants, interview_evidence_year, website}, ...]}; nonus_img_interview_rate is 0-1 (the 2026 share of non-US IMG applicants invited).
    """
    filters: dict[str, Any] = {
        "specialty": specialty,
        "track": track,
        "state": state,
        "region": region,
        "setting": setting,
        "visa": visa,
        "min_non_us_img_pct": min_non_us_img,
        "min_positions": min_positions,
        "min_nonus_img_interview_pct": min_nonus_img_interview,
        "text": text,
    }
    cat = open_catalog()
    found = cat.search(**filters, sort=sort, order=order, limit=limit, offset=offset)
    total = cat.count(**filters)
    rows = [program_summary(p) for p in found]
    document = {"total": total, "limit": limit, "offset": offset, "programs": rows}
    title = f"{total} programs match" + (f" (showing {len(rows)})" if len(rows) < total else "")
    if fmt is OutputFormat.table:
        emit([_search_line(r) for r in rows], fmt, title=title)
        return
    emit(rows, fmt, document=document, title=title)


def _search_line(row: dict[str, Any]) -> dict[str, Any]:
    """A search result as a terminal table row: shares in percent with their year."""
    share, rate = row["pct_non_us_img"], row["nonus_img_interview_rate"]
    return {
        "program_id": row["program_id"],
        "name": row["name"],
        "place": f"{row['city'] or 'unknown'}, {row['state'] or 'unknown'}",
        "setting": row["setting"] or "unknown",  # in words as the table writes it
        "PGY-1": row["pgy1_positions"],
        "J-1": row["visa_j1"],
        "H-1B": row["visa_h1b"],
        "non-US IMG residents": "unknown"
        if share is None
        else f"{share:.0f}% ({row['pct_non_us_img_year']})",
        "non-US IMGs invited": "no data"
        if rate is None
        else f"{100 * rate:.0f}% of {row['nonus_img_applicants']:,} "
        f"({row['interview_evidence_year']})",
    }


@programs_app.command("show")
def show(
    program_id: str = typer.Argument(..., help="catalog id, e.g. 1405100435C"),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Every field of one program with its source and year, and any conflicting older values.

    With 2026 Residency Explorer data (IM and FM) it adds, in plain words, whom the program
    invited to interview in 2026: non-US IMGs and other applicants, by signal, by failed attempt,
    by geographic preference and home state, the Step 2 CK range of those invited, positions.

    JSON: {program_id, acgme_code, name, specialty, track, fields: {name: {value, source, year, conflicts: [{value, source, year}]}}, nrmp_results: [{year, quota, matched, source}], data_notes: [...], interview_evidence: null or {source, year, by_type, signal, ..., lines: [{label, text}]}}.
    """
    program = open_catalog().get(program_id)
    doc = program_to_dict(program)
    rows: list[dict[str, Any]] = []
    for name, fact in doc["fields"].items():
        conflicts = [
            f"{shown_value(c['value'])} ({c['source']}, {c['year']})" for c in fact["conflicts"]
        ]
        rows.append(
            {
                "field": field_label(name),
                "value": shown_value(fact["value"]),
                "source": fact["source"],
                "year": fact["year"],
                "conflicts": conflicts,
            }
        )
    for r in doc["nrmp_results"]:
        rows.append(
            {
                "field": f"nrmp_{r['year']}",
                "value": f"{r['matched']}/{r['quota']} matched",
                "source": r["source"],
                "year": r["year"],
                "conflicts": [],
            }
        )
    for note in doc["data_notes"]:
        rows.append({"field": "note", "value": note, "source": None, "year": None})
    evidence = doc["interview_evidence"]
    for line in (evidence or {}).get("lines", []):
        rows.append(
            {
                "field": f"{evidence['year']}: {line['label']}",
                "value": line["text"],
                "source": evidence["source"],
                "year": evidence["year"],
                "conflicts": [],
            }
        )
    title = f"{doc['name']} ({doc['program_id']}, {doc['specialty']}, {doc['track']})"
    emit(rows, fmt, document=doc, title=title)


def register(app: typer.Typer) -> None:
    """Add the `catalog` and `programs` command groups to the main app."""
    app.add_typer(catalog_app, name="catalog")
    app.add_typer(programs_app, name="programs")
