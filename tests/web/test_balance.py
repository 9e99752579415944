"""How the forked workers share connections (web/balance.py): the rules, and the real app's
report of what a request computed reaching the worker's books."""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from smartpick.web.balance import (
    MOVE_PAUSE_SECONDS,
    STALE_SECONDS,
    Balancing,
    LoadBoard,
    WorkerLoad,
)


@dataclass(frozen=True)
class Connection:
    client: tuple[str, int]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _worker(connections: set[Connection], board: LoadBoard | None = None) -> WorkerLoad:
    return WorkerLoad(board or LoadBoard(2), 0, lambda: connections, clock=Clock())


def test_the_board_is_shared_with_forked_processes() -> None:
    board = LoadBoard(3)
    assert math.isinf(board.lightest_other(0))  # nobody has published: nobody to defer to
    board.publish(0, 0.5)
    board.retire(2)
    pid = os.fork()
    if pid == 0:  # the child writes its slot; the parent must see it
        board.publish(1, 0.25)
        os._exit(0)
    os.waitpid(pid, 0)
    assert board.load(1) == 0.25
    assert board.lightest_other(0) == 0.25
    assert board.lightest_other(1) == 0.5
    assert math.isinf(board.load(2))
    assert math.isinf(LoadBoard(1).lightest_other(0))


def test_a_worker_not_heard_from_is_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    board = LoadBoard(2)
    board.publish(1, 0.1)
    assert board.lightest_other(0) == 0.1
    later = time.monotonic() + STALE_SECONDS + 0.01
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert math.isinf(board.lightest_other(0))  # stuck: its turns go to the others


def test_a_connection_costs_the_mean_of_its_computations() -> None:
    a, b = Connection(("127.0.0.1", 1)), Connection(("127.0.0.1", 2))
    load = _worker({a, b})
    assert load.cost(a.client) == load.typical  # nothing computed yet
    load.computed(a.client, 0.1)
    load.computed(a.client, 0.3)
    assert load.cost(a.client) == pytest.approx(0.2)
    assert load.publish() == pytest.approx(0.2 + load.typical)
    assert load.board.load(0) == pytest.approx(0.2 + load.typical)


def test_a_closed_connection_leaves_the_load_and_the_books() -> None:
    a, b = Connection(("127.0.0.1", 1)), Connection(("127.0.0.1", 2))
    open_now = {a, b}
    load = _worker(open_now)
    load.computed(a.client, 0.5)
    open_now.discard(a)
    assert load.publish() == pytest.approx(load.typical)
    open_now.add(a)  # the same address again is a new connection: typical cost
    assert load.cost(a.client) == load.typical


def test_only_the_lightest_worker_takes_a_new_connection() -> None:
    board = LoadBoard(2)
    mine = {Connection(("127.0.0.1", p)) for p in range(3)}
    load = _worker(mine, board)
    board.publish(1, 3 * load.typical)
    assert load.may_accept()  # a tie: either may take it
    board.publish(1, 2 * load.typical)
    assert not load.may_accept()
    load.opening = 0
    board.retire(1)  # the other stops: this one takes everything
    assert load.may_accept()


def test_a_worker_heavier_by_twice_a_connection_moves_it_once_per_pause() -> None:
    board = LoadBoard(2)
    clients = [Connection(("127.0.0.1", p)) for p in range(6)]
    load = _worker(set(clients), board)
    for c in clients:
        load.computed(c.client, 0.02)
    heavy = Connection(("127.0.0.1", 99))
    load._connections().add(heavy)  # type: ignore[attr-defined]
    load.computed(heavy.client, 0.08)
    mine = load.publish()
    # moving the heavy one (0.08) needs a gap of 0.16 plus a typical computation
    board.publish(1, mine - 0.16)
    assert not load.should_move(heavy.client)
    assert load.should_move(clients[0].client)  # a light one fits in the gap
    assert not load.should_move(clients[1].client)  # one move per pause
    load._clock.now += MOVE_PAUSE_SECONDS  # type: ignore[attr-defined]
    board.publish(1, mine - 0.3)
    assert load.should_move(heavy.client)
    assert load.moves == 2


def test_a_lone_connection_is_never_moved() -> None:
    board = LoadBoard(2)
    only = Connection(("127.0.0.1", 1))
    load = _worker({only}, board)
    load.computed(only.client, 0.01)
    board.publish(1, 0.0)
    assert load.publish() > 0
    assert not load.should_move(only.client)


@given(
    costs=st.lists(st.floats(0.0, 2.0), min_size=2, max_size=40),
    other=st.floats(0.0, 50.0),
    which=st.integers(0, 39),
)
def test_a_move_never_makes_the_lighter_worker_the_heavier(
    costs: list[float], other: float, which: int
) -> None:
    board = LoadBoard(2)
    clients = [Connection(("10.0.0.1", p)) for p in range(len(costs))]
    load = _worker(set(clients), board)
    for c, seconds in zip(clients, costs, strict=True):
        load.computed(c.client, seconds)
    board.publish(1, other)
    moved = clients[which % len(clients)].client
    if load.should_move(moved):
        cost = load.cost(moved)
        assert load.publish() - cost >= other + cost  # still no lighter than the other after it


def test_the_app_reports_what_a_page_computed_and_moves_its_connection(app, guide_query) -> None:
    """The real app behind `Balancing`: the limiter's measure of the results page reaches the
    worker's books (keyed by the connection's address), and an answer on the heavier worker
    closes its connection."""
    board = LoadBoard(2)
    here = ("127.0.0.1", 123)  # the connection's address, as the server gives it
    heavy = ("127.0.0.1", 124)
    connections = {Connection(here), Connection(heavy)}
    load = WorkerLoad(board, 0, lambda: connections)
    balanced = Balancing(app, load)
    board.publish(1, math.inf)  # the other worker is not running: nothing moves

    web = TestClient(balanced, base_url="http://127.0.0.1", client=here)
    page = web.get("/results?" + guide_query)
    assert page.status_code == 200
    assert page.headers.get("connection") != "close"
    assert 0 < load.cost(here) < 60  # what the page took, not the typical guess
    assert load.cost(here) != load.typical
    about = web.get("/about")  # computes nothing: the cost stays
    assert about.status_code == 200
    assert load.cost(here) != load.typical
    load.computed(heavy, 10.0)  # the other connection makes this worker heavy
    board.publish(1, 0.0)  # and the other worker is idle: this connection should move
    moved = web.get("/about")
    assert moved.headers.get("connection") == "close"
