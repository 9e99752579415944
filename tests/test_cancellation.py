"""The core's stop signal: free without a token, raised at the next checkpoint with one, carried
into worker threads, and never swallowed as an ordinary error on the way out."""

from __future__ import annotations

import time
from typing import Any

import anyio
import pytest

from smartpick.core.cancellation import Cancelled, CancelToken, cancellable, checkpoint
from smartpick.core.lists.fees import fee_schedule
from smartpick.core.lists.optimizer import optimize_list
from smartpick.core.lists.result import Recommendation
from smartpick.core.lists.types import ListProblem
from smartpick.service.advise import advise
from smartpick.service.recommend import recommend
from smartpick.testing import reference_profile, synthetic_chances


def _problem(n: int = 120) -> ListProblem:
    chances = synthetic_chances(n, seed=5, nodes=8, draws=2)
    return ListProblem(
        chances=chances,
        fee_groups=("IM",) * n,
        fee_schedule=fee_schedule(2026),
        signal_groups=("IM",) * n,
        signal_allowances={"IM": (3, 12)},
        budget_usd=900,
        horizon=60,
    )


def test_without_a_token_checkpoint_does_nothing() -> None:
    for _ in range(1000):
        checkpoint()


def test_a_cancelled_token_stops_at_the_next_checkpoint() -> None:
    token = CancelToken()
    with cancellable(token):
        checkpoint()
        token.cancel()
        with pytest.raises(Cancelled) as stop:
            checkpoint()
    assert stop.value.reason == "client left" and token.checks == 2
    checkpoint()  # outside the block there is no token again


def test_a_passed_deadline_stops_with_its_own_reason() -> None:
    with cancellable(CancelToken(deadline=time.monotonic() - 1)), pytest.raises(Cancelled) as stop:
        checkpoint()
    assert stop.value.reason == "deadline"


def test_the_token_reaches_a_sync_function_in_the_web_threadpool() -> None:
    """FastAPI runs sync routes with anyio's `to_thread.run_sync`, which copies the context."""
    token = CancelToken()
    token.cancel()

    async def route() -> str:
        with cancellable(token):
            try:
                await anyio.to_thread.run_sync(checkpoint)
            except Cancelled as stop:
                return stop.reason
        return "ran on"

    assert anyio.run(route) == "client left"


def test_the_optimizer_checks_and_stops_when_told() -> None:
    # the compiled chain checks before each run of stages (a whole chain takes milliseconds)
    problem = _problem()
    token = CancelToken()
    with cancellable(token):
        solution = optimize_list(problem)
    assert token.checks >= 1
    assert solution == optimize_list(problem)  # the token changes nothing else

    stopped = CancelToken()
    stopped.cancel()
    with cancellable(stopped), pytest.raises(Cancelled):
        optimize_list(problem)
    assert stopped.checks == 1  # stopped at the first stage, not after the chain


def test_a_cancelled_plan_is_not_returned_half_priced() -> None:
    """The advisor turns a step's SmartPickError into an unpriced step; a cancellation must go
    through it, not become a plan with missing prices."""
    profile = reference_profile("guide-sample")
    token = CancelToken()
    runs = 0

    def recommender(*args: Any, **kwargs: Any) -> Recommendation:
        nonlocal runs
        runs += 1
        token.cancel()  # the client leaves as the baseline list starts
        return recommend(*args, **kwargs)

    with cancellable(token), pytest.raises(Cancelled):
        advise(profile, recommender=recommender)
    assert runs == 1  # stopped inside the baseline: no step was priced after it
