"""On a real server with one computation at a time: a results request queued after a plan starts
before it, unless the plan has already waited its turn (`slow_wait_seconds`); and the queue's rule
as a property: each kind in arrival order, no plan past its turn behind a quicker request."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from unittest import mock

import httpx
from hypothesis import given
from hypothesis import strategies as st

from smartpick.web.workload import ExpensiveWorkLimiter

from .conftest import GUIDE_QUERY
from .test_disconnect import _until as until
from .test_disconnect import serving

PLAN = f"/results/plan?{GUIDE_QUERY}"
RESULTS = f"/api/results?{GUIDE_QUERY}"


def _queued_order(tmp_path: Path, slow_wait: float, pause: float) -> list[str]:
    """Which of a plan and a results request finished first, the plan queued `pause` seconds
    before the results while the only slot is held."""
    finished: list[str] = []

    def call(name: str, base: str, target: str) -> None:
        response = httpx.get(base + target, headers={"HX-Request": "true"}, timeout=60)
        assert response.status_code == 200, response.text
        finished.append(name)

    with serving(tmp_path, max_concurrent_computations=1) as (base, limiter, gate):
        limiter.slow_wait_seconds = slow_wait
        holder = threading.Thread(target=httpx.get, args=(base + "/api/results/_gate",))
        holder.start()
        assert gate.entered.wait(20)
        plan = threading.Thread(target=call, args=("plan", base, PLAN))
        plan.start()
        until(lambda: limiter.waiting == 1, 20, "the plan did not queue")
        time.sleep(pause)
        results = threading.Thread(target=call, args=("results", base, RESULTS))
        results.start()
        until(lambda: limiter.waiting == 2, 20, "the results request did not queue")
        gate.release.set()
        for t in (holder, plan, results):
            t.join(timeout=60)
        assert limiter.counts["finished"] == 3 and limiter.running == 0
    return finished


def test_a_results_request_goes_before_a_plan_queued_just_before_it(tmp_path: Path) -> None:
    assert _queued_order(tmp_path, slow_wait=30.0, pause=0.0) == ["results", "plan"]


def test_a_plan_that_has_waited_its_turn_goes_first(tmp_path: Path) -> None:
    assert _queued_order(tmp_path, slow_wait=0.2, pause=0.4) == ["plan", "results"]


@given(
    st.lists(st.tuples(st.booleans(), st.floats(0.0, 3.0)), max_size=30),
    st.sampled_from([0.0, 0.5, 1.0, 2.0]),
)
def test_the_queue_keeps_each_kind_in_order_and_no_plan_waits_past_its_turn(
    waiting: list[tuple[bool, float]], slow_wait: float
) -> None:
    """`waiting`: (a plan?, seconds it has waited), in arrival order (a later plan has waited no
    longer); the slot is handed on until nobody waits, at one moment."""
    limiter = ExpensiveWorkLimiter(None, limit=1, slow_wait_seconds=slow_wait)  # type: ignore[arg-type]
    loop = asyncio.new_event_loop()
    now = 100.0
    waited_so_far = 3.0
    turns = []
    for plan, waited in waiting:
        waited_so_far = min(waited_so_far, waited)
        turn = loop.create_future()
        turns.append((plan, waited_so_far, turn))
        if plan:
            limiter._waiting_slow.append((now - waited_so_far, turn))
        else:
            limiter._waiting.append(turn)
    served = []
    with mock.patch("smartpick.web.workload.time.monotonic", return_value=now):
        while (turn := limiter._next_turn()) is not None:
            kind = next((plan, waited) for plan, waited, t in turns if t is turn)
            left = [
                (plan, waited) for plan, waited, t in turns if t not in served and t is not turn
            ]
            quick_waits = any(not plan for plan, _ in left)
            due = [waited for plan, waited in left if plan and waited >= slow_wait]
            if kind[0]:  # a plan went: no quicker request waited, or its turn had come
                assert not quick_waits or kind[1] >= slow_wait
            else:  # a quicker request went: no plan that waited its turn was left behind
                assert not due
            served.append(turn)
    loop.close()
    assert len(served) == len(turns)
    for plan in (True, False):  # each kind in arrival order
        assert [t for t in served if any(t is u for p, _, u in turns if p == plan)] == [
            t for p, _, t in turns if p == plan
        ]
