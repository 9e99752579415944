"""On a real server with one computation at a time: a results request queued after a plan starts
before it, unless the plan has already waited its turn (`slow_wait_seconds`)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx

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
