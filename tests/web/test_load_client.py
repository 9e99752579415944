"""The load test's own client (`bench/load.py`): the figures issue 13 quotes count its answers,
so it must read them right: status and body length as a full HTTP client sees them, answer after
answer on one connection, and a fresh connection once the server closes one."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from load import QUERIES, WINDOW_SECONDS, Timings, _Connection, _machine_ticks, _server_timing  # noqa: E402  (a script beside the package, not in it)

T = TypeVar("T")


def _run(main: Callable[[], Awaitable[T]]) -> T:
    """`main()` on an event loop of its own thread (the browser tests leave one running here)."""

    async def bounded() -> T:
        return await asyncio.wait_for(main(), 60)

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, bounded()).result()


def _get_all(url: str, targets: list[str], headers: dict[str, str]) -> list[tuple[int, int]]:
    host, port = url.removeprefix("http://").rsplit(":", 1)

    async def run() -> list[tuple[int, int]]:
        connection = _Connection(host, int(port), headers)
        try:
            return [await connection.get(target) for target in targets]
        finally:
            connection.close()

    return _run(run)


def test_reads_what_a_full_client_reads_on_one_connection(server: str) -> None:
    targets = [
        f"/results?{QUERIES[1]}",  # a results page
        "/results?step2ck=999",  # the form again, with its errors (422)
        f"/results/plan?{QUERIES[1]}",  # the plan panel
        "/about",
    ]
    headers = {"HX-Request": "true"}
    seen = _get_all(server, targets, headers)
    with httpx.Client(base_url=server, headers=headers) as client:
        expected = [
            (answer.status_code, len(answer.content))
            for answer in (client.get(target) for target in targets)
        ]
    assert [status for status, _ in seen] == [200, 422, 200, 200]
    assert seen == expected


def test_a_closed_connection_is_opened_again(server: str) -> None:
    # the server ends each connection after its answer
    seen = _get_all(server, ["/about"] * 3, {"Connection": "close"})
    assert [status for status, _ in seen] == [200, 200, 200]
    assert len({size for _, size in seen}) == 1


def test_a_refused_connection_raises_an_os_error() -> None:
    with pytest.raises(OSError):
        _get_all("http://127.0.0.1:9", ["/about"], {})


def test_windows_tell_the_servers_drift_from_its_spread() -> None:
    seen = Timings()
    for k in range(40):  # a first window of steady 0.4 s answers, then one twice as slow
        seen.latencies.append(0.4)
        seen.answered_at.append(100.0 + k * WINDOW_SECONDS / 40)
    for k in range(40):  # ... whose p95 is 1.5 times its median
        seen.latencies.append(1.2 if k >= 36 else 0.8)
        seen.answered_at.append(100.0 + WINDOW_SECONDS + k * WINDOW_SECONDS / 40)
    seen.latencies.append(9.0)  # a window of one answer is left out
    seen.answered_at.append(100.0 + 5 * WINDOW_SECONDS)
    low, high, median_spread, widest = seen.windows() or (0.0,) * 4
    assert (low, high) == pytest.approx((400.0, 800.0))
    assert widest == pytest.approx(1.5)
    assert median_spread == pytest.approx(1.5)  # the upper of two
    assert Timings().windows() is None


def test_the_machines_ticks_count_up_with_the_stolen_ones_among_them() -> None:
    first = _machine_ticks()
    time.sleep(0.1)  # every CPU's clock ticks on, idle or not
    later = _machine_ticks()
    assert 0 <= first[1] <= first[0] < later[0]
    assert first[1] <= later[1] <= later[0]


def test_the_server_times_what_it_computes_and_the_client_reads_it(server: str) -> None:
    host, port = server.removeprefix("http://").rsplit(":", 1)

    async def run() -> list[tuple[float, float] | None]:
        connection = _Connection(host, int(port), {})
        timings = []
        try:
            for target in (f"/results?{QUERIES[1]}", "/about"):
                await connection.get(target)
                timings.append(connection.server)
        finally:
            connection.close()
        return timings

    page, about = _run(run)
    assert page is not None and about is None  # the about page computes nothing
    queue, compute = page
    assert 0 <= queue < 60_000 and 0 < compute < 60_000


def test_server_timing_values_are_read_or_ignored() -> None:
    assert _server_timing("queue;dur=12.5, compute;dur=3") == (12.5, 3.0)
    assert _server_timing('compute;desc="model";dur=4.0,queue;dur=0') == (0.0, 4.0)
    assert _server_timing("queue;dur=1") is None  # no computing time
    assert _server_timing("queue;dur=x, compute;dur=1") is None
    assert _server_timing("") is None


def test_the_tail_split_compares_the_slowest_answers_with_the_others() -> None:
    seen = Timings()
    for k in range(100):  # the 5 slowest answers waited 900 ms, the others 400 ms
        slow = k >= 95
        seen.latencies.append(0.92 if slow else 0.42)
        seen.server.append((900.0, 20.0) if slow else (400.0, 15.0))
    seen.latencies.append(0.5)
    seen.server.append(None)  # an answer the server did not time is left out
    assert seen.tail_split() == ((900.0, 20.0), (400.0, 15.0))
    assert Timings().tail_split() is None
