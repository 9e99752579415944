"""What the web faces cost beyond the model: the results page's own CPU and bytes, the PDF's
layout, and the phases of a server's start; on this checkout and optionally another one.

    .venv/bin/python bench/page.py [--before CHECKOUT] [--rounds 3]

- results page: the `/results` page and its JSON twin `/api/results` (what `bench/load.py` asks
  for) through the app, for the 12 addresses of `bench/load.py` (six reference profiles, default
  volume and $1,200). Each request's `recommend()` is made before the timer starts (a fresh one:
  the rows and reasons a page reads are written when first read, so a cached one would hide
  them), so only the page's own work is timed (parsing, the list's rows and reasons, charts,
  map, Jinja or the JSON encoding): median and mean process CPU per page, and the page's size
  (mean and largest, and per section for the largest), and what a gzip of the largest page would
  cost and leave (levels 1 and 6; pages are sent uncompressed);
- PDF: the plan of guide-sample at $3,110 with a 120-program list (as `bench/targets.py`): the
  PDF alone (`advise()` excluded), median process CPU of 3;
- plan: `advise()` for guide-sample with the default volume and with a $3,000 budget (median
  process CPU of 3 after a warm-up), and the plan panel `/results/plan` (htmx fragment) for the 12
  addresses with its `advise()` made before the timer starts: the panel's own CPU;
- start: in one process, the imports `smartpick serve` needs, `create_app`, `preload` and the
  first results page of guide-sample after it (what a forked worker's first page pays).

CPU time, not wall time, so a busy machine disturbs it less; still compare checkouts in one run.
Each checkout runs in its own virtual environment (`CHECKOUT/.venv`).
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from checkouts import measure_checkouts  # noqa: E402  (a sibling module of this script)


def _request(
    app: Any, query: str, path: str = "/results", headers: tuple[tuple[bytes, bytes], ...] = ()
) -> Any:
    """A GET of `path?query` on loopback, for calling a route's handler in process."""
    from starlette.requests import Request

    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": path,
            "query_string": query.encode(),
            "headers": [(b"host", b"127.0.0.1"), *headers],
            "app": app,
            "scheme": "http",
            "server": ("127.0.0.1", 80),
            "root_path": "",
        }
    )


def _sections(html: str) -> dict[str, int]:
    """Bytes per `<section>` of the page (by its heading id), the rest as "head"."""
    out: dict[str, int] = {}
    for part in re.split(r"(?=<section )", html):
        found = re.search(r'aria-labelledby="([^"]+)"', part[:200])
        name = found.group(1) if found else "head"
        out[name] = out.get(name, 0) + len(part.encode())
    return out


def probe(root: Path, rounds: int) -> dict[str, Any]:
    """The measures of the checkout whose `smartpick` this interpreter imports."""
    import os

    os.environ["SMARTPICK_HOME"] = tempfile.mkdtemp(prefix="smartpick-page-")
    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    import smartpick.cli  # noqa: F401  (what `smartpick serve` imports)
    from smartpick.web.app import WebSettings, create_app, preload

    t1 = time.perf_counter()
    app = create_app(WebSettings())
    t2 = time.perf_counter()
    preload(app)
    t3 = time.perf_counter()
    import smartpick.web.routes.results as results

    sys.path.insert(0, str(HERE))
    from load import PROFILES, QUERIES

    results.results_page(_request(app, PROFILES["guide-sample"]))
    t4 = time.perf_counter()
    out["start"] = {
        "imports_s": t1 - t0,
        "create_app_s": t2 - t1,
        "preload_s": t3 - t2,
        "first_page_s": t4 - t3,
    }

    import gc

    from starlette.testclient import TestClient

    gc.collect()
    gc.freeze()  # as `smartpick serve` does before its workers fork

    original, asked, ready = results.recommend, {}, []

    def made_before(profile: Any, **options: Any) -> Any:
        return ready.pop() if ready else original(profile, **options)

    def capture(profile: Any, **options: Any) -> Any:
        asked[current] = (profile, options)
        return original(profile, **options)

    client = TestClient(app, base_url="http://127.0.0.1")
    pages: dict[str, bytes] = {}
    results.recommend = capture
    for current in QUERIES:
        pages[current] = client.get(f"/results?{current}").content
    results.recommend = made_before
    for path in ("/results", "/api/results"):
        cpu = []
        for _ in range(rounds):
            for q in QUERIES:
                profile, options = asked[q]
                ready.append(original(profile, **options))
                start = time.process_time()
                client.get(f"{path}?{q}").raise_for_status()
                cpu.append(1000 * (time.process_time() - start))
        out["page" if path == "/results" else "api"] = {
            "cpu_median_ms": statistics.median(cpu),
            "cpu_mean_ms": statistics.mean(cpu),
        }
    largest = max(pages.values(), key=len)
    out["page"] |= {
        "pages": len(QUERIES) * rounds,
        "mean_kb": statistics.mean(len(p) for p in pages.values()) / 1024,
        "largest_kb": len(largest) / 1024,
        "largest_sections_kb": {k: v / 1024 for k, v in _sections(largest.decode()).items()},
    } | _gzip(largest)
    out["pdf"] = _pdf(root)
    out["plan"] = _plan(root, client, QUERIES)
    return out


def _gzip(page: bytes) -> dict[str, float]:
    """What a gzip of the page would cost the server (process CPU, mean of 20) and leave of its
    bytes, at levels 1 and 6 (pages are sent uncompressed)."""
    import gzip

    out = {}
    for level in (1, 6):
        start = time.process_time()
        for _ in range(20):
            packed = gzip.compress(page, compresslevel=level, mtime=0)
        out[f"gzip{level}_ms"] = 1000 * (time.process_time() - start) / 20
        out[f"gzip{level}_share"] = 100 * len(packed) / len(page)
    return out


def _plan(root: Path, client: Any, queries: list[str]) -> dict[str, Any]:
    import datetime as dt

    import smartpick.web.routes.results as results
    from smartpick.core.profile import load_profile
    from smartpick.service.advise import advise
    from smartpick.service.catalog import open_catalog

    profile = load_profile(root / "examples" / "profiles" / "guide-sample.toml")
    catalog = open_catalog(Path(tempfile.mkdtemp(prefix="smartpick-page-")) / "user.sqlite")
    out: dict[str, Any] = {}
    for key, budget in (("advise_default_ms", None), ("advise_3000_ms", 3000.0)):
        advise(profile, budget_usd=budget, catalog=catalog, today=dt.date(2026, 11, 24))
        cpu = []
        for _ in range(3):
            start = time.process_time()
            advise(profile, budget_usd=budget, catalog=catalog, today=dt.date(2026, 11, 24))
            cpu.append(1000 * (time.process_time() - start))
        out[key] = statistics.median(cpu)
    original, made = results.advise, {}

    def made_before(profile: Any, **options: Any) -> Any:
        if current not in made:
            made[current] = original(profile, **options)
        return made[current]

    results.advise = made_before
    hx = {"HX-Request": "true"}
    for current in queries:  # each address's plan, made once before the timed passes
        client.get(f"/results/plan?{current}", headers=hx).raise_for_status()
    cpu = []
    for _ in range(2):
        for current in queries:
            start = time.process_time()
            client.get(f"/results/plan?{current}", headers=hx).raise_for_status()
            cpu.append(1000 * (time.process_time() - start))
    results.advise = original
    out["panel_cpu_median_ms"] = statistics.median(cpu)
    return out


def _pdf(root: Path) -> dict[str, Any]:
    import dataclasses
    import datetime as dt
    import importlib.util

    from smartpick.core.profile import load_profile
    from smartpick.export.pdf import plan_pdf
    from smartpick.service.advise import advise
    from smartpick.service.catalog import open_catalog
    from smartpick.service.recommend import recommend

    profile = load_profile(root / "examples" / "profiles" / "guide-sample.toml")
    catalog = open_catalog(Path(tempfile.mkdtemp(prefix="smartpick-page-")) / "user.sqlite")
    plan = advise(profile, budget_usd=3110, catalog=catalog, today=dt.date(2026, 11, 24))
    if len(plan.recommended) != 120:
        chosen = recommend(profile, count=120, catalog=catalog)
        plan = dataclasses.replace(plan, recommended=chosen.programs)
    typed = importlib.util.find_spec("smartpick.export.pdf_layout") is not None
    document: Any = plan if typed else plan.to_dict()  # the older checkouts read the JSON
    plan_pdf(document)
    cpu = []
    for _ in range(3):
        start = time.process_time()
        data = plan_pdf(document)
        cpu.append(1000 * (time.process_time() - start))
    return {"cpu_median_ms": statistics.median(cpu), "programs": 120, "bytes": len(data)}


def main() -> None:
    """Measure this checkout (and `--before`) and print the figures side by side."""
    found = measure_checkouts(
        Path(__file__), ("rounds", 3, 20, "timed passes over the 12 pages"), probe
    )
    if found is None:
        return
    rows = [
        ("results page CPU beyond recommend, median", "page", "cpu_median_ms", "ms"),
        ("results page CPU beyond recommend, mean", "page", "cpu_mean_ms", "ms"),
        ("/api/results CPU beyond recommend, median", "api", "cpu_median_ms", "ms"),
        ("/api/results CPU beyond recommend, mean", "api", "cpu_mean_ms", "ms"),
        ("results page size, mean of 12", "page", "mean_kb", "KB"),
        ("results page size, largest", "page", "largest_kb", "KB"),
        ("gzip level 1 of the largest page: CPU", "page", "gzip1_ms", "ms"),
        ("gzip level 1 of the largest page: bytes left", "page", "gzip1_share", "%"),
        ("gzip level 6 of the largest page: CPU", "page", "gzip6_ms", "ms"),
        ("gzip level 6 of the largest page: bytes left", "page", "gzip6_share", "%"),
        ("PDF of a 120-program plan (advise excluded)", "pdf", "cpu_median_ms", "ms"),
        ("advise() guide-sample, default volume", "plan", "advise_default_ms", "ms"),
        ("advise() guide-sample, $3,000", "plan", "advise_3000_ms", "ms"),
        ("plan panel CPU beyond advise, median", "plan", "panel_cpu_median_ms", "ms"),
        ("start: imports", "start", "imports_s", "s"),
        ("start: create_app", "start", "create_app_s", "s"),
        ("start: preload", "start", "preload_s", "s"),
        ("start: first results page after preload", "start", "first_page_s", "s"),
    ]
    print(f"{'measure':<48}" + "".join(f"{name:>10}" for name in found) + "  unit")
    for label, group, key, unit in rows:
        values = "".join(f"{found[name][group][key]:>10.1f}" for name in found)
        print(f"{label:<48}{values}  {unit}")
    for name, data in found.items():
        sections = ", ".join(f"{k} {v:.0f}" for k, v in data["page"]["largest_sections_kb"].items())
        print(f"  {name}: largest page by section (KB): {sections}")


if __name__ == "__main__":
    main()
