"""A model of one server worker's queue under the web load: what the order of its work does to
the results pages' p95, without the machine's noise.

    .venv/bin/python bench/queue_model.py [--page-clients 25] [--plan-clients 2] [--shares 0.1,0.15,0.2,0.3]

One worker computes one request at a time for `--page-clients` results-page clients and
`--plan-clients` plan-panel clients, each asking again as soon as it is answered (as
`bench/load.py`'s clients do; half of its 50 + 4 per worker). A page costs 11.9 or 15.3 ms (the
$1,200 and default-volume means of `bench/request_parts.py`, session 23), a plan 70 ms, each
times a uniform 0.8-1.2. Two orders are compared over `--seconds` of modelled time:

- "now", `web.workload`'s: pages in arrival order, a plan let ahead of them once it has waited
  `--slow-wait` seconds (or when no page waits): under saturation a plan runs whole, and every
  page queued behind it waits for all of it;
- "paced" (not built): one plan at a time advances by `share` times each page's cost right after
  that page, or alone when no page waits: every page's wait holds about the same plan time.

It prints, per order, the pages answered a second, their p50 and p95 and its ratio, and the plans
a second with their p95. A model: the machine's own swings (`bench/load.py`'s windows) and the
balance between workers are not in it.

With `--workers N` (N > 1) the clients are the whole server's (say `--page-clients 50
--plan-clients 4`), dealt out to the workers in turn, and the model compares today's order on
each worker's own queue (a client keeps its connection, so its worker) with the same order on
one queue that every worker takes from (not built: a worker would compute another's requests),
and with two rules for the plans that came due together (tried on the server in session 29, not
kept: see docs/speed.md): "owed", once a plan has run, the pages waiting then go before the next
plan; "gap", a plan starts only `--gap` seconds after the worker's last plan ended, while pages
wait. `--plan-ms` sets a plan's cost (under load the server's plans took 70-150 ms).
"""

from __future__ import annotations

import argparse
import random

PAGE_MS = (11.9, 15.3)  # a results page at $1,200 and at the default volume
PLAN_MS = 70.0


def simulate_paced(
    pages: int, plans: int, seconds: float, share: float, plan_cost: float = PLAN_MS
) -> tuple[list[float], list[float], float]:
    """(the pages' latencies, the plans' latencies, in ms; the modelled ms) with the plans
    paced at `share` on one worker."""
    rng = random.Random(1)

    def page_ms() -> float:
        return rng.choice(PAGE_MS) * rng.uniform(0.8, 1.2)

    def plan_ms() -> float:
        return plan_cost * rng.uniform(0.8, 1.2)

    end, now = 1000 * seconds, 0.0
    queue = [0.0] * pages  # each page client's request: when it arrived
    asked = sorted(rng.uniform(0, 500) for _ in range(plans))  # each plan client's
    page_waits: list[float] = []
    plan_waits: list[float] = []
    running: list[float] | None = None  # the paced plan under way: [ms left, arrived]
    while now < end:
        queue.sort()
        asked.sort()
        if running is None and asked and asked[0] <= now:
            running = [plan_ms(), asked.pop(0)]
        if queue:
            arrived = queue.pop(0)
            now = max(now, arrived)
            cost = page_ms()
            now += cost
            if running is not None:  # the paced plan's step after this page
                step = min(running[0], share * cost)
                now += step
                running[0] -= step
            page_waits.append(now - arrived)
            queue.append(now)
        elif running is not None:
            now += running[0]
            running[0] = 0.0
        else:
            now = asked[0]
        if running is not None and running[0] <= 1e-9:
            plan_waits.append(now - running[1])
            asked.append(now)
            running = None
    return page_waits, plan_waits, end


def simulate_workers(
    shared: bool,
    pages: int,
    plans: int,
    workers: int,
    seconds: float,
    slow_wait: float,
    *,
    rule: str = "now",
    gap: float = 0.25,
    plan_cost: float = PLAN_MS,
) -> tuple[list[float], list[float], float]:
    """(the pages' latencies, the plans' latencies, in ms; the modelled ms) with today's order
    on `workers` workers, each taking from its own clients' queue, or with `shared` all from
    one queue; `rule` "owed" or "gap" (`gap` seconds) holds a plan that has waited its turn back
    after the last plan (the module's docstring)."""
    rng = random.Random(1)
    queues = 1 if shared else workers
    page_queues: list[list[float]] = [[] for _ in range(queues)]
    plan_queues: list[list[float]] = [[] for _ in range(queues)]
    for c in range(pages):
        page_queues[c % queues].append(0.0)
    for c in range(plans):
        plan_queues[c % queues].append(rng.uniform(0, 500))
    free = [0.0] * workers  # when each worker is next free
    plan_ended = [-1e9] * queues  # when each queue's last plan ended
    owed = [0] * queues  # pages to serve before the next plan ("owed")
    end = 1000 * seconds
    page_waits: list[float] = []
    plan_waits: list[float] = []
    while min(free) < end:
        w = min(range(workers), key=free.__getitem__)
        now = free[w]
        at = 0 if shared else w
        queue, asked = page_queues[at], plan_queues[at]
        queue.sort()
        asked.sort()
        page_due = bool(queue) and queue[0] <= now
        held = (rule == "owed" and owed[at] > 0) or (
            rule == "gap" and now - plan_ended[at] < 1000 * gap
        )
        due = bool(asked) and now - asked[0] >= 1000 * slow_wait and not held
        if asked and asked[0] <= now and (not page_due or due):
            arrived = asked.pop(0)
            now += plan_cost * rng.uniform(0.8, 1.2)
            plan_waits.append(now - arrived)
            asked.append(now)
            plan_ended[at] = now
            owed[at] = sum(1 for t in queue if t <= now)
        elif page_due:
            arrived = queue.pop(0)
            now += rng.choice(PAGE_MS) * rng.uniform(0.8, 1.2)
            page_waits.append(now - arrived)
            queue.append(now)
            owed[at] -= 1
        else:  # idle until its next request (one being computed elsewhere is not due)
            now = max(min(queue[:1] + asked[:1], default=now + 1.0), now + 1e-6)
        free[w] = now
    return page_waits, plan_waits, end


def _q(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    """Print each order's figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page-clients", type=int, default=25)
    parser.add_argument("--plan-clients", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=60.0, help="modelled seconds")
    parser.add_argument("--slow-wait", type=float, default=1.0, help="seconds (web.workload)")
    parser.add_argument("--shares", default="0.1,0.15,0.2,0.3", help="paced plan shares")
    parser.add_argument("--workers", type=int, default=1, help="> 1: own queues against one")
    parser.add_argument("--plan-ms", type=float, default=PLAN_MS, help="a plan's mean cost")
    parser.add_argument("--gap", type=float, default=0.25, help="seconds (the gap rule)")
    args = parser.parse_args()
    shares = [float(s) for s in args.shares.split(",")]
    if (
        not 1 <= args.page_clients <= 500
        or not 0 <= args.plan_clients <= 50
        or not 1 <= args.seconds <= 3600
        or not all(0 < s <= 5 for s in shares)
        or not 1 <= args.workers <= 8
        or not 1 <= args.plan_ms <= 10_000
        or not 0 <= args.gap <= 10
    ):
        parser.error(
            "page clients 1-500, plan clients 0-50, seconds 1-3,600, shares in (0, 5], workers "
            "1-8, plan ms 1-10,000, gap 0-10 s"
        )
    where = "one worker" if args.workers == 1 else f"{args.workers} workers"
    print(
        f"{where}, {args.page_clients} page and {args.plan_clients} plan clients, "
        f"{args.seconds:.0f} modelled seconds"
    )
    clients = (args.page_clients, args.plan_clients)
    timing = (args.seconds, args.slow_wait)
    if args.workers > 1:
        for label, shared, rule in (
            ("own queues", False, "now"),
            ("one queue", True, "now"),
            ("owed", False, "owed"),
            (f"gap {args.gap:g} s", False, "gap"),
        ):
            run = simulate_workers(
                shared, *clients, args.workers, *timing, rule=rule, gap=args.gap,
                plan_cost=args.plan_ms,
            )  # fmt: skip
            _line(label, run)
        return
    _line("now", simulate_workers(False, *clients, 1, *timing, plan_cost=args.plan_ms))
    for share in shares:
        _line(f"paced {share:.2f}", simulate_paced(*clients, args.seconds, share, args.plan_ms))


def _line(label: str, run: tuple[list[float], list[float], float]) -> None:
    pages, plans, ms = run
    p50, p95 = _q(pages, 0.5), _q(pages, 0.95)
    print(
        f"{label:12} pages {1000 * len(pages) / ms:5.1f}/s p50 {p50:4.0f} ms p95 {p95:4.0f} "
        f"ms ({p95 / p50:.2f}); plans {1000 * len(plans) / ms:4.2f}/s p95 "
        f"{_q(plans, 0.95):5.0f} ms"
    )


if __name__ == "__main__":
    main()
