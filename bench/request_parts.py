"""What a results page and a plan panel spend their CPU on, part by part, in process.

    .venv/bin/python bench/request_parts.py [--rounds 5]

Builds the app as `smartpick serve` does (`create_app`, then its warm-up: the preload and the
collector's settings), answers the 12 addresses of `bench/load.py` twice (warm-up), then answers
them `rounds` times more with timers around the parts below, and prints each part's thread CPU
time per request (mean over the addresses and rounds) and its share of the whole request. A
part's time includes the parts indented under it; one said to be "in" other parts runs inside
them (it overlaps them). The timers wrap functions called a few times a request, not per row, so
they cost little. Only the figures of one run compare: the machine is shared.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

# (label, depth, module, function, modules that imported it by name): a part of a request
Part = tuple[str, int, str, str, tuple[str, ...]]
READ: Part = (
    "the profile read from the address", 1, "smartpick.web.profile_request", "read_profile",
    ("smartpick.web.routes.results",),
)  # fmt: skip
TEMPLATE: Part = (
    "the template", 1, "smartpick.web.rendering", "render", ("smartpick.web.routes.results",)
)  # fmt: skip
PAGE_PARTS = (
    READ,
    ("the list (recommend)", 1, "smartpick.service.recommend", "recommend",
     ("smartpick.web.routes.results",)),
    ("assessment of the profile", 2, "smartpick.service.assess", "assess",
     ("smartpick.service.recommend",)),
    ("the chain (every chain of the list)", 2, "smartpick.core.lists.optimizer", "_grow", ()),
    ("its compiled stages", 3, "smartpick.core.lists.chain_kernel", "grow", ()),
    ("the curve's stages with intervals", 2, "smartpick.core.lists.optimizer", "curve_stages",
     ()),
    ("the rows, totals and curve points", 2, "smartpick.service.recommendation",
     "build_recommendation", ("smartpick.service.recommend",)),
    ("the page's data (rows, words, chart, map)", 1, "smartpick.web.results_view",
     "results_data", ("smartpick.web.routes.results",)),
    ("the rows' sentences", 2, "smartpick.web.results_view", "program_lines", ()),
    ("the rows' markup", 2, "smartpick.web.results_view", "list_html", ()),
    ("the curve's chart", 2, "smartpick.web.results_view", "curve_chart", ()),
    ("where you stand", 1, "smartpick.web.routes.results", "standing_charts", ()),
    TEMPLATE,
)  # fmt: skip
PLAN_PARTS = (
    READ,
    ("the plan (advise)", 1, "smartpick.service.advise", "advise",
     ("smartpick.web.routes.results",)),
    ("the base list", 2, "smartpick.service.pricing", "Pricer.show", ()),
    ("the priced lists", 2, "smartpick.service.recommend", "price_list",
     ("smartpick.service.pricing",)),
    ("their chains", 3, "smartpick.core.lists.optimizer", "choose_list",
     ("smartpick.service.recommend",)),
    ("their draws", 3, "smartpick.service.recommendation", "priced_list",
     ("smartpick.service.recommend",)),
    ("assessments (in the base and priced lists)", 2, "smartpick.service.assess", "assess",
     ("smartpick.service.recommend",)),
    ("compiled chain stages (in all lists)", 2, "smartpick.core.lists.chain_kernel", "grow",
     ()),
    TEMPLATE,
)  # fmt: skip


def _timed(parts: tuple[Part, ...], spent: dict[str, float]) -> Callable[[], None]:
    """Wrap each part's function with a thread-CPU timer adding to `spent[label]`; returns
    what puts the functions back."""
    undo: list[Callable[[], None]] = []
    for label, _, module_name, name, users in parts:
        owner: Any = importlib.import_module(module_name)
        attr = name
        if "." in name:
            cls, attr = name.split(".")
            owner = getattr(owner, cls)
        original = getattr(owner, attr)

        def timer(*args: Any, _f: Any = original, _label: str = label, **kwargs: Any) -> Any:
            start = time.thread_time()
            try:
                return _f(*args, **kwargs)
            finally:
                spent[_label] += time.thread_time() - start

        targets = [owner] + [importlib.import_module(u) for u in users]
        for target in targets:
            if getattr(target, attr, None) is original:
                setattr(target, attr, timer)
                undo.append(lambda t=target, a=attr, f=original: setattr(t, a, f))
        spent[label] = 0.0

    def put_back() -> None:
        for step in undo:
            step()

    return put_back


def measure(rounds: int) -> None:
    """Answer the addresses and print the parts of a page and of a plan panel."""
    os.environ["SMARTPICK_HOME"] = tempfile.mkdtemp(prefix="smartpick-parts-")
    sys.path.insert(0, str(HERE))
    from load import HTMX, PLAN_PATH, QUERIES
    from page import _request

    from smartpick.cli.serve_cmd import _warm
    from smartpick.web.app import WebSettings, create_app
    from smartpick.web.routes import results

    gc.disable()  # as `smartpick serve` starts, builds the app and leaves a worker
    app = create_app(WebSettings())
    _warm(app)
    htmx = tuple((k.lower().encode(), v.encode()) for k, v in HTMX.items())

    def request(path: str, query: str) -> Any:
        return _request(app, query, path, htmx if path == PLAN_PATH else ())

    pages = (
        ("results page", "/results", results.results_page, PAGE_PARTS),
        ("plan panel", PLAN_PATH, results.plan_panel, PLAN_PARTS),
    )
    for _, path, answer, _ in pages:
        for _ in range(2):
            for query in QUERIES:
                answer(request(path, query))
    for what, path, answer, parts in pages:
        spent: dict[str, float] = {}
        put_back = _timed(parts, spent)
        start = time.thread_time()
        for _ in range(rounds):
            for query in QUERIES:
                answer(request(path, query))
        whole = time.thread_time() - start
        put_back()
        n = rounds * len(QUERIES)
        each = 1000 * whole / n
        print(f"{what}: {each:.1f} ms of CPU a request ({n} requests)")
        for label, depth, *_ in parts:
            ms = 1000 * spent[label] / n
            name = "  " * depth + label
            print(f"{name:<46} {ms:7.2f} ms {ms / each:6.1%}")


def main() -> int:
    """Parse the options and measure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not 1 <= args.rounds <= 50:
        parser.error("rounds: 1-50")
    measure(args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
