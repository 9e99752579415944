"""What a results page and a plan panel cost the server in CPU, whole, in process: two checkouts
taking turns, so that a shared machine's drift lands on both.

    .venv/bin/python bench/request_cpu.py [--before CHECKOUT] [--rounds 4]

Each round starts a fresh interpreter per checkout (its own `.venv`; the order alternates from
round to round) that builds the app as `smartpick serve` does (`create_app`, `preload`), answers
every address of `bench/load.py` once (the results page and the plan panel: warm-up, and each
worker's one-time work of other specialties and applicant types), then measures the process CPU
time of the 12 results pages (median of 3 each, a fresh `recommend()` every time, as the server
makes one per request) and of the 12 plan panels (median of 2 each), and prints their means, with the minor page faults of a
results page (memory the page touched for the first time: each costs the kernel a few
microseconds on this virtual machine, in system time that `bench/instructions.py` does not see).
The table gives every round and the median over rounds, and before / after. With 2 cores, 100
results pages a second (issue 13's target) leave 20 ms a page for the page and its share of the
plans, the event loop and HTTP: this shows how far the computation alone is from that.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PLAN = "/results/plan"


def probe(checkout: Path) -> dict[str, float]:
    """Mean CPU ms of the 12 results pages and of the 12 plan panels, in this interpreter."""
    os.environ["SMARTPICK_HOME"] = tempfile.mkdtemp(prefix="smartpick-cpu-")
    sys.path.insert(0, str(HERE))
    from load import QUERIES
    from starlette.testclient import TestClient

    from smartpick.web.app import WebSettings, create_app, preload

    app = create_app(WebSettings())
    preload(app)
    client = TestClient(app, base_url="http://127.0.0.1")
    htmx = {"HX-Request": "true"}

    faults: list[int] = []

    def cpu_ms(path: str, headers: dict[str, str]) -> float:
        start, faulted = time.process_time(), resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        client.get(path, headers=headers).raise_for_status()
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faulted)
        return 1000 * (time.process_time() - start)

    for query in QUERIES:  # warm-up
        cpu_ms(f"/results?{query}", {})
        cpu_ms(f"{PLAN}?{query}", htmx)
    faults.clear()
    pages = [statistics.median(cpu_ms(f"/results?{q}", {}) for _ in range(3)) for q in QUERIES]
    page_faults = statistics.mean(faults)
    plans = [statistics.median(cpu_ms(f"{PLAN}?{q}", htmx) for _ in range(2)) for q in QUERIES]
    return {"page": statistics.mean(pages), "plan": statistics.mean(plans), "faults": page_faults}


def main() -> int:
    """Alternate the checkouts over the rounds and print the table."""
    sys.path.insert(0, str(HERE))
    from checkouts import checkout_arguments, interpreters, run_probe

    args = checkout_arguments(("rounds", 4, 20, "rounds per checkout"), lambda path, _: probe(path))
    if args is None:  # a probe: its figures are printed
        return 0
    checkouts = {"after": HERE.parent} | ({"before": args.before.resolve()} if args.before else {})
    seen: dict[str, list[dict[str, Any]]] = {name: [] for name in checkouts}
    print("\n".join(interpreters(checkouts)))
    print(f"machine {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    print(
        f"{'round':<7}{'checkout':<10}{'results page ms':>17}{'plan panel ms':>15}{'page faults':>13}"
    )
    for r in range(args.rounds):
        for name in list(checkouts)[:: -1 if r % 2 else 1]:
            found = run_probe(checkouts[name], Path(__file__), "--rounds", "1")
            seen[name].append(found)
            print(
                f"{r + 1:<7}{name:<10}{found['page']:>17.1f}{found['plan']:>15.1f}"
                f"{found['faults']:>13.0f}",
                flush=True,
            )
    print(f"load average {os.getloadavg()[0]:.1f} at the end; medians over the rounds:")
    medians = {
        name: {
            key: statistics.median(run[key] for run in runs) for key in ("page", "plan", "faults")
        }
        for name, runs in seen.items()
    }
    for name, found in medians.items():
        print(
            f"{'':<7}{name:<10}{found['page']:>17.1f}{found['plan']:>15.1f}{found['faults']:>13.0f}"
        )
    if "before" in medians:
        was, now = medians["before"], medians["after"]
        print(
            f"{'':<7}{'before/after':<10}{was['page'] / now['page']:>16.2f}x"
            f"{was['plan'] / now['plan']:>14.2f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
