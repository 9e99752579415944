"""The cyclic collector's cost per results page, as a `smartpick serve` worker runs them.

In one process: the app's preload and `gc.freeze()` (as `serve` does before it forks), then the
12 addresses of `bench/load.py` (six reference profiles, default volume and $1,200) once to warm
up and three times timed, with the collector's young-generation threshold given (default: the
one `serve` sets). Prints CPU per page, the collector's CPU and collections per page (from
`gc.callbacks`) and the process's peak RSS.

    .venv/bin/python bench/collector.py [--threshold 10000 20 20]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=int, nargs=3, help="gc.set_threshold's three values")
    args = parser.parse_args()
    os.environ["SMARTPICK_HOME"] = tempfile.mkdtemp(prefix="smartpick-gc-")
    sys.path.insert(0, str(HERE))
    from load import PROFILES
    from page import _request

    import smartpick.web.routes.results as results
    from smartpick.cli.serve_cmd import _collect_for_serving
    from smartpick.web.app import WebSettings, create_app, preload

    app = create_app(WebSettings())
    preload(app)
    gc.collect()
    gc.freeze()
    _collect_for_serving()
    if args.threshold:
        gc.set_threshold(*args.threshold)
    spent, runs, began = [0.0], [0], [0.0]

    def watch(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            began[0] = time.thread_time()
        else:
            spent[0] += time.thread_time() - began[0]
            runs[0] += 1

    queries = [PROFILES[name] + extra for name in PROFILES for extra in ("", "&budget=1200")]
    for query in queries:
        results.results_page(_request(app, query))
    gc.callbacks.append(watch)
    spent[0], runs[0] = 0.0, 0
    start = time.thread_time()
    for _ in range(3):
        for query in queries:
            results.results_page(_request(app, query))
    pages = 3 * len(queries)
    cpu = (time.thread_time() - start) / pages
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"threshold {gc.get_threshold()}: {cpu * 1e3:.1f} ms of CPU a page, collector "
        f"{spent[0] / pages * 1e3:.2f} ms and {runs[0] / pages:.1f} collections a page, "
        f"peak RSS {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
