"""Every speed target of issue 13 in one command: target, measured value, pass/fail, and the ratio
to another checkout measured in the same run.

    .venv/bin/python bench/targets.py [--before PATH] [--only inprocess,load,cold]
        [--clients 50] [--plan-clients 4] [--seconds 30] [--workers N] [--rounds 1]

Each checkout runs with its own virtual environment (`CHECKOUT/.venv`): the in-process targets run
in a child process of that interpreter (this file with `--probe`, which imports that checkout's
`smartpick`), and the web targets start that checkout's `smartpick serve`. With `--before PATH`
every measure is taken on both checkouts in this one invocation, one after the other, and the
table shows both values and how many times better this checkout is (before / after for times,
after / before for pages per second). With `--rounds N` each group of measures runs N times per
checkout, the checkouts taking turns to go first, and the table shows each measure's median (the
words under it list every round's figure): on a shared machine whose speed drifts over minutes,
that keeps the drift from landing on one checkout only.

The measures (guide-sample is the guide's sample applicant, `examples/profiles/guide-sample.toml`):
- `recommend()` on the whole catalog of the specialty, $1,200 budget, signals, with intervals:
  median of 15 calls after 3 warm-up calls (Internal Medicine; then IM + Family Medicine);
- `advise()` with the default volume and with a $3,000 budget: median of up to 3 calls after one
  warm-up (fewer when one call takes over 5 s), and how many times it assesses the unchanged
  profile;
- the PDF of a plan whose list has 120 programs (a $3,110 budget): the whole export, `advise()`
  then the PDF, median as for `advise()`;
- a what-if (Step 3 235 and 4 months of US clinical experience): median of 5 after a warm-up;
- the web: `bench/load.py`'s mixed load, `--clients` on the results page and `--plan-clients`
  on the plan panel at once for `--seconds` (after the same load has warmed every worker for
  5 s: the sustained figures), with `--workers` server processes (default: the CPU count):
  results pages per second, their p95, errors, the plan panel's p95;
- cold start: `smartpick serve` (its default options) launched until its first results page for
  guide-sample is answered, median of 3 launches after one that fills a cache directory of this
  run's own (the files are then in the OS cache, and the start cache, the catalog's index, the
  compiled kernels and Python's compiled modules are written, as on a user's machine: Python's
  are kept even where PYTHONDONTWRITEBYTECODE is set, which costs every launch about 0.35 s of
  compiling SmartPick's modules again).

Times are wall-clock on a shared machine: quote the ratios, measured in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROFILE = "guide-sample"
BUDGET = 1200
WHATIF = {"step3": 235, "usce_months": 4}
PDF_BUDGET = 3110  # 120 Internal Medicine programs: 30 x $11 + 90 x $30, + the $80 transcript fee
PDF_PROGRAMS = 120
SLOW_SECONDS = 5.0  # a call slower than this is timed fewer times


@dataclass(frozen=True)
class Target:
    """One target of issue 13: `key` in the measures, the goal and which way is better."""

    key: str
    label: str
    goal: float
    unit: str
    lower_is_better: bool = True

    def passes(self, value: float | None) -> bool:
        """True when the measured value meets the goal."""
        if value is None or value != value:  # missing or nan
            return False
        return value <= self.goal if self.lower_is_better else value >= self.goal

    def goal_text(self) -> str:
        """The goal as written in the issue."""
        return f"{'<=' if self.lower_is_better else '>='} {_fmt(self.goal, self.unit)}"


TARGETS = (
    Target("recommend_im", "recommend() guide-sample IM $1,200, median", 20, "ms"),
    Target("recommend_imfm", "recommend() guide-sample IM+FM $1,200, median", 40, "ms"),
    Target("advise_default", "advise() guide-sample default volume, median", 1000, "ms"),
    Target("advise_3000", "advise() guide-sample $3,000, median", 1000, "ms"),
    Target("advise_unchanged_assessed", "advise(): assessments of the unchanged profile", 1, "x"),
    Target("pdf_120", "PDF export, 120-program list (advise + PDF)", 2000, "ms"),
    Target("whatif", "what-if step3=235 usce_months=4, median", 150, "ms"),
    Target("web_results_rate", "web: results pages per second", 100, "/s", False),
    Target("web_results_p95", "web: results page p95", 500, "ms"),
    Target("web_errors", "web: errors (results + plan)", 0, "x"),
    Target("web_plan_p95", "web: plan panel p95 under the same load", 2000, "ms"),
    Target("cold_start", "cold start: serve -> first results page", 3000, "ms"),
)


def _fmt(value: float | None, unit: str) -> str:
    if value is None or value != value:
        return "-"
    if unit == "ms":
        return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"
    if unit == "/s":
        return f"{value:.1f}/s"
    return f"{value:g}"


# --- the in-process measures (run inside the checkout's own interpreter) ----------------------


def _timed(call: Callable[[], Any], repeats: int, warmups: int) -> tuple[float, int]:
    """Median wall time in ms of `repeats` calls after `warmups` (fewer when a call is slow)."""
    first = time.perf_counter()
    for _ in range(warmups):
        call()
    if warmups and (time.perf_counter() - first) / warmups > SLOW_SECONDS:
        repeats = 1
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times), len(times)


def _count_unchanged_assessments(run: Callable[[], Any], profile: Any) -> int:
    """How many times `assess` sees exactly `profile` during `run()` (every module's reference
    to it is wrapped, so calls through recommend, pricing or advise all count)."""
    import smartpick.service.assess as service

    original = service.assess
    seen = [0]

    def counting(p: Any, *args: Any, **kwargs: Any) -> Any:
        if p == profile:
            seen[0] += 1
        return original(p, *args, **kwargs)

    patched = [
        m
        for name, m in list(sys.modules.items())
        if name.startswith("smartpick") and getattr(m, "assess", None) is original
    ]
    for module in patched:
        module.assess = counting  # type: ignore[attr-defined]
    try:
        run()
    finally:
        for module in patched:
            module.assess = original  # type: ignore[attr-defined]
    return seen[0]


def probe(root: Path) -> dict[str, Any]:
    """The in-process measures of the checkout whose `smartpick` this interpreter imports."""
    import dataclasses
    import datetime as dt
    import inspect

    from smartpick.core.profile import load_profile
    from smartpick.export.pdf import plan_pdf
    from smartpick.service.advise import advise
    from smartpick.service.catalog import open_catalog
    from smartpick.service.recommend import recommend
    from smartpick.service.whatif import whatif

    today = dt.date(2026, 11, 24)
    profile = load_profile(root / "examples" / "profiles" / f"{PROFILE}.toml")
    catalog = open_catalog(Path(tempfile.mkdtemp(prefix="smartpick-targets-")) / "user.sqlite")
    out: dict[str, Any] = {"info": {}}
    both = ["Internal Medicine", "Family Medicine"]

    def rec(specialties: list[str]) -> Callable[[], Any]:
        return lambda: recommend(
            profile, budget_usd=BUDGET, specialties=specialties, catalog=catalog
        )

    out["recommend_im"], n = _timed(rec(["Internal Medicine"]), 15, 3)
    out["recommend_imfm"], _ = _timed(rec(both), 15, 3)
    out["info"]["recommend_im"] = (
        f"{len(rec(['Internal Medicine'])().programs)} programs listed, {n} timed calls"
    )

    def plan(budget: float | None) -> Callable[[], Any]:
        return lambda: advise(profile, budget_usd=budget, catalog=catalog, today=today)

    out["advise_default"], n = _timed(plan(None), 3, 1)
    out["info"]["advise_default"] = f"{len(plan(None)().recommended)} programs listed, {n} calls"
    out["advise_3000"], n = _timed(plan(3000), 3, 1)
    out["info"]["advise_3000"] = f"{n} timed calls"
    out["advise_unchanged_assessed"] = _count_unchanged_assessments(plan(None), profile)

    listed: list[int] = []

    def export() -> bytes:
        result = advise(profile, budget_usd=PDF_BUDGET, catalog=catalog, today=today)
        if len(result.recommended) != PDF_PROGRAMS:  # the list stopped early: ask for 120
            chosen = recommend(profile, count=PDF_PROGRAMS, catalog=catalog)
            result = dataclasses.replace(result, recommended=chosen.programs)
        listed.append(len(result.recommended))
        if "Plan" not in str(inspect.signature(plan_pdf)):  # a checkout whose PDF reads the JSON
            return plan_pdf(result.to_dict(), today=today)
        return plan_pdf(result, today=today)

    out["pdf_120"], n = _timed(export, 3, 1)
    out["info"]["pdf_120"] = f"{listed[-1]} programs in the PDF's list, {n} timed calls"

    out["whatif"], n = _timed(lambda: whatif(profile, WHATIF, catalog=catalog), 5, 1)
    return out


# --- the web measures (this interpreter drives the checkout's server) -------------------------


def web_load(
    checkout: Path, clients: int, plan_clients: int, seconds: float, workers: int
) -> dict[str, Any]:
    """Results pages/s and p95, errors, plan panel p95 under `bench/load.py`'s mixed load."""
    sys.path.insert(0, str(HERE))
    from load import load_test

    result = load_test(
        clients=clients,
        seconds=seconds,
        path="/results",
        plan_clients=plan_clients,
        workers=workers,
        smartpick=checkout / ".venv" / "bin" / "smartpick",
        settle_seconds=0,
    )
    pages = result.paths["/results"]
    plans = result.paths.get("/results/plan")
    answered = max(1, sum(len(seen.latencies) for seen in result.paths.values()))
    errors = len(pages.errors) + (len(plans.errors) if plans else 0)
    kinds = sorted(set(pages.errors + (plans.errors if plans else [])))
    split = pages.tail_split()  # None when the server gives no timing (an older checkout)
    tail = (
        "; the slowest 5% waited {:.0f} ms in the server's queue and computed {:.0f} ms, the "
        "others {:.0f} and {:.0f} ms".format(*split[0], *split[1])
        if split
        else ""
    )
    return {
        "web_results_rate": len(pages.latencies) / result.wall,
        "web_results_p95": pages.p(0.95),
        "web_errors": errors,
        "web_plan_p95": plans.p(0.95) if plans else float("nan"),
        "info": {
            "web_results_rate": f"{len(pages.latencies)} pages in {result.wall:.1f} s, "
            f"p50 {pages.p(0.5):.0f} ms; server CPU {1000 * result.server_cpu_s / answered:.1f} "
            f"ms a request (all paths; {1000 * result.server_system_s / answered:.1f} ms system "
            f"time, {result.server_faults / answered:.0f} page faults), the load's own "
            f"{1000 * result.client_cpu_s / answered:.1f} ms; pages of {pages.body_bytes / max(len(pages.latencies), 1) / 1024:.0f} KB; "
            f"{100 * result.stolen:.0f}% of the machine's CPU time taken by its host (steal)"
            + tail,
            "web_plan_p95": f"{len(plans.latencies)} plans, p50 {plans.p(0.5):.0f} ms"
            if plans
            else "no plan clients",
            "web_errors": ", ".join(kinds) or "none",
            "web_memory": f"server RSS peak {result.peak_mb:.0f} MB (summed over processes), "
            f"PSS peak {result.peak_pss_mb:.0f} MB (shared pages counted once)",
        },
    }


def cold_start(checkout: Path, launches: int = 3) -> dict[str, Any]:
    """Median ms from launching `smartpick serve` to its first results page for guide-sample.

    The launches share a cache directory of their own, filled by one launch before them (not
    counted): the user's cache directory is shared with other checkouts on this machine, whose
    start files for other code replace this one's."""
    with tempfile.TemporaryDirectory(prefix="smartpick-cache-") as cache:
        before = os.environ.get("SMARTPICK_CACHE")
        os.environ["SMARTPICK_CACHE"] = cache
        try:
            first = _first_page_ms(checkout)
            times = [_first_page_ms(checkout) for _ in range(launches)]
        finally:
            if before is None:
                del os.environ["SMARTPICK_CACHE"]
            else:
                os.environ["SMARTPICK_CACHE"] = before
    said = (
        f"{launches} launches, Python's compiled modules kept, after one that filled an empty"
        f" cache directory ({first:,.0f} ms)"
    )
    return {"cold_start": statistics.median(times), "info": {"cold_start": said}}


def _first_page_ms(checkout: Path) -> float:
    """ms from launching `smartpick serve` to its first results page for guide-sample."""
    import httpx

    sys.path.insert(0, str(HERE))
    from load import PROFILES, _free_port, _start_server

    port = _free_port()
    url = f"http://127.0.0.1:{port}/results?{PROFILES[PROFILE]}"
    with tempfile.TemporaryDirectory(prefix="smartpick-cold-") as home:
        start = time.perf_counter()
        server = _start_server(
            port, None, home, checkout / ".venv" / "bin" / "smartpick", write_bytecode=True
        )
        try:
            # Wait for the port with bare connects: an httpx call per try builds a client
            # (TLS context included) and took CPU from the server being measured.
            while time.perf_counter() - start < 120:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.02)
            with httpx.Client(timeout=60) as client:
                while time.perf_counter() - start < 120:
                    try:
                        if client.get(url).status_code == 200:
                            break
                    except httpx.TransportError:
                        time.sleep(0.02)
            return 1000 * (time.perf_counter() - start)
        finally:
            server.terminate()
            server.wait(timeout=20)


def _median_of_rounds(parts: list[dict[str, Any]], info: dict[str, str]) -> dict[str, Any]:
    """Each measure's median over the rounds (the first round's words kept); with several
    rounds, each round's figure is added to the measure's words."""
    out = {}
    for key, value in parts[0].items():
        if key == "info":
            continue
        values = [part[key] for part in parts]
        out[key] = statistics.median(values) if len(values) > 1 else value
        if len(values) > 1:
            each = ", ".join(f"{v:,.1f}" for v in values)
            info[key] = f"{info[key]}; " if key in info else ""
            info[key] += f"median of {len(values)} rounds ({each})"
    return out


def measure(checkout: Path, group: str, args: argparse.Namespace) -> dict[str, Any]:
    """One group of measures ("inprocess", "load" or "cold") on one checkout."""
    if group == "load":
        return web_load(checkout, args.clients, args.plan_clients, args.seconds, args.workers)
    if group == "cold":
        return cold_start(checkout)
    sys.path.insert(0, str(HERE))
    from checkouts import run_probe

    return run_probe(checkout, Path(__file__))


def _commit(checkout: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(checkout), "log", "-1", "--format=%h %s"],
        capture_output=True,
        text=True,
        check=False,
    )
    dirty = subprocess.run(
        ["git", "-C", str(checkout), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return done.stdout.strip()[:70] + (" (+ uncommitted changes)" if dirty else "")


def report(after: dict[str, Any], before: dict[str, Any] | None) -> int:
    """Print the table; the number of targets this checkout misses."""
    head = f"{'target':<50}{'goal':>11}"
    head += f"{'before':>12}" if before is not None else ""
    head += f"{'after':>12}" + (f"{'better':>9}" if before is not None else "") + "  result"
    print(head)
    missed = 0
    for t in TARGETS:
        if t.key not in after:
            continue
        value = after[t.key]
        ok = t.passes(value)
        missed += not ok
        line = f"{t.label:<50}{t.goal_text():>11}"
        if before is not None:
            old = before.get(t.key)
            line += f"{_fmt(old, t.unit):>12}"
        line += f"{_fmt(value, t.unit):>12}"
        if before is not None:
            old = before.get(t.key)
            ratio = None
            if old is not None and value and t.unit != "x":
                ratio = old / value if t.lower_is_better else value / old if old else None
            line += f"{f'{ratio:.1f}x' if ratio else '':>9}"
        print(line + f"  {'pass' if ok else 'FAIL'}")
    print()
    for name, found in (("after", after), ("before", before)):
        if found:
            for key, text in found["info"].items():
                print(f"  {name:<6} {key:<26} {text}")
    return missed


def main() -> int:
    """Measure this checkout (and `--before`), print the table; exit 1 if a target is missed."""
    parser = argparse.ArgumentParser(description="Issue 13's speed targets, before and after.")
    parser.add_argument("--before", type=Path, help="another checkout (with its own .venv)")
    parser.add_argument("--only", default="inprocess,load,cold", help="inprocess,load,cold")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--plan-clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--rounds", type=int, default=1, help="rounds of each group, alternating the checkouts"
    )
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe is not None:  # inside the checkout's interpreter: print the measures as JSON
        print(json.dumps(probe(args.probe)))
        return 0
    if not 1 <= args.rounds <= 9:
        parser.error("--rounds: 1-9")
    args.only = {part.strip() for part in args.only.split(",")}
    if not args.only <= {"inprocess", "load", "cold"}:
        parser.error("--only takes inprocess, load and cold, comma-separated")
    here = HERE.parent
    checkouts = {"after": here} | ({"before": args.before.resolve()} if args.before else {})
    for name, checkout in checkouts.items():
        if not (checkout / ".venv" / "bin" / "smartpick").is_file():
            parser.error(f"{checkout} has no .venv with smartpick: create it first")
        print(f"{name:<7}{checkout}  {_commit(checkout)}")
    sys.path.insert(0, str(HERE))
    from checkouts import interpreters

    print("\n".join(interpreters(checkouts)))
    print(
        f"machine {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; "
        f"web: {args.clients} results + {args.plan_clients} plan clients, {args.seconds:.0f} s, "
        f"--workers {args.workers}"
    )
    measured: dict[str, dict[str, Any]] = {name: {"info": {}} for name in checkouts}
    for group in ("inprocess", "load", "cold"):  # both checkouts group by group: same conditions
        if group not in args.only:
            continue
        rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in checkouts}
        for r in range(args.rounds):  # alternating which checkout goes first
            for name in list(checkouts)[:: 1 if r % 2 == 0 else -1]:
                rounds[name].append(measure(checkouts[name], group, args))
        for name, parts in rounds.items():
            measured[name]["info"].update(parts[0].pop("info", {}))
            measured[name].update(_median_of_rounds(parts, measured[name]["info"]))
    print(f"load average {os.getloadavg()[0]:.1f} at the end\n")
    missed = report(measured["after"], measured.get("before"))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
