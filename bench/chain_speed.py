"""The compiled chain's share of `recommend()` for the 12 addresses of the web load.

    .venv/bin/python bench/chain_speed.py [--before CHECKOUT] [--rounds 5]

For the six reference profiles at the default volume and at $1,200 (`bench/load.py` QUERIES),
each address's `recommend()` (the one the results page asks for, captured through the app) is
run `rounds` times in process after a warm-up: the median thread CPU time of the whole call and
of the compiled chain's runs in it (`chain_kernel.grow`, all its calls), and how many calls the
chain needed (a polish that changes a list returns to Python once). The machine is shared: only
figures of one run compare.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from checkouts import measure_checkouts  # noqa: E402  (a sibling module of this script)


def probe(root: Path, rounds: int) -> dict[str, Any]:
    """Per address: median ms of `recommend()` and of the chain's compiled runs, and its calls."""
    os.environ["SMARTPICK_HOME"] = tempfile.mkdtemp(prefix="smartpick-chain-")
    from starlette.testclient import TestClient

    import smartpick.web.routes.results as results
    from smartpick.core.lists import chain_kernel
    from smartpick.web.app import WebSettings, create_app, preload

    sys.path.insert(0, str(HERE))
    from load import PROFILES, QUERIES

    app = create_app(WebSettings())
    preload(app)
    original, asked = results.recommend, {}

    def capture(profile: Any, **options: Any) -> Any:
        asked[current] = (profile, options)
        return original(profile, **options)

    results.recommend = capture
    client = TestClient(app, base_url="http://127.0.0.1")
    for current in QUERIES:  # also the warm-up
        client.get(f"/results?{current}").raise_for_status()
    results.recommend = original

    grow, spent = chain_kernel.grow, [0.0, 0]

    def timed(*args: Any) -> Any:
        start = time.thread_time()
        out = grow(*args)
        spent[0] += time.thread_time() - start
        spent[1] += 1
        return out

    chain_kernel.grow = timed
    names = {q: n for n, q in PROFILES.items()}
    out: dict[str, Any] = {}
    for query in QUERIES:
        profile, options = asked[query]
        whole, chain = [], []
        for _ in range(rounds):
            spent[:] = [0.0, 0]
            start = time.thread_time()
            original(profile, **options)
            whole.append(1e3 * (time.thread_time() - start))
            chain.append(1e3 * spent[0])
        base = query.removesuffix("&budget_usd=1200")
        label = f"{names[base]}, {'$1,200' if base != query else 'default volume'}"
        out[label] = (statistics.median(whole), statistics.median(chain), spent[1])
    return out


def main() -> None:
    """Print the table for this checkout (and `--before`)."""
    found = measure_checkouts(
        Path(__file__), ("rounds", 5, 50, "calls per address (median)"), probe
    )
    if found is None:
        return
    print("per load-test address: recommend() ms, its compiled chain ms, the chain's calls")
    for key in found["after"]:
        cells = ["{:6.1f} {:6.2f} {:2d}".format(*found[label][key]) for label in found]
        print(f"  {key:<36} " + "   ".join(f"{k}: {c}" for k, c in zip(found, cells, strict=True)))
    for label, rows in found.items():
        whole = statistics.mean(r[0] for r in rows.values())
        chain = statistics.mean(r[1] for r in rows.values())
        print(f"  mean, {label}: recommend {whole:.2f} ms, chain {chain:.2f} ms")


if __name__ == "__main__":
    main()
