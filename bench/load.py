"""Load test of the results endpoint: latency, errors and the server's memory, 50 clients, 30 s.

Starts `smartpick serve` on a free loopback port (its own process, stopped at the end), then runs
50 clients that each request `/api/results` for the six reference profiles in turn (each with the
default volume and with a $1,200 budget: 12 different addresses) for 30 seconds, each on its own
keep-alive connection (one asyncio loop: the clients share the server's cores, so they are kept
lean), after the same load has run for 5 s to warm every worker process, and prints the
figures; `--plan-clients N` adds N clients loading the plan panel at the same time. Bounded and
loopback only. `bench/targets.py` runs it against issue 13's targets.

Memory is the server's resident set (RSS) from /proc, summed over the server process and its
worker processes (`--workers`): at start, sampled peak under load, and after the load settles;
plus each process's own high-water mark (VmHWM). CPU is the server's processes' own (user +
system, from /proc) over the timed window, per answered request: what a request costs the server
whatever else the machine runs (the clients run on the same machine; their CPU is printed
apart). It also prints how many of the clients' connections each server process held as the
timed seconds began (how the workers shared them), the share of the machine's CPU time its host
took for other tenants meanwhile (steal: a run that lost a tenth of its CPUs is that much
slower, whatever the code), and the latencies over 2-second windows of the run: how far the
whole server's speed moved (the windows' medians) apart from how much its answers varied at one
time (the p95 within a window). Each answer's `Server-Timing` header (the server's queue wait and
computing time) splits the time of the slowest 5% of answers from that of the others: whether
a slow answer waited behind more work or computed slower.

    .venv/bin/python bench/load.py [--clients 50] [--seconds 30] [--workers N] [--path /api/results]
        [--plan-clients 0] [--warm-seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, cast

import httpx
import uvloop

# The six reference applicants as results-page queries: the profiles of examples/profiles/*.toml
# as the form sends them (tests/web/test_form.py checks each gives its file's profile).
PROFILES = {
    "guide-sample": "specialties=Internal+Medicine&visa=j1&step1=score&step1_score=209&step2ck=224"
    "&match_year=2028&graduation_year=2026&usce-1-months=1&usce-1-kind=observership"
    "&usce-1-specialty=Internal+Medicine&us_letters=1&us_letters_in_specialty=1",
    "low-score-late": "specialties=Internal+Medicine&specialties=Family+Medicine&visa=j1"
    "&step1=fail_then_pass&step1_attempts=2&step2ck=221&match_year=2028&graduation_year=2021"
    "&usce-1-months=3&usce-1-kind=hands_on&usce-1-specialty=Internal+Medicine&us_letters=2"
    "&us_letters_in_specialty=2&posters=1",
    "average-img": "specialties=Internal+Medicine&visa=either&step1=pass&step2ck=238&step3=225"
    "&match_year=2028&graduation_year=2025&usce-1-months=4&usce-1-kind=hands_on"
    "&usce-1-institution=a+state-university-affiliated+hospital&usce-1-specialty=Internal+Medicine"
    "&us_letters=3&us_letters_in_specialty=3&abstracts=2&publications=1&languages=Spanish"
    "&preferred_regions=Midwest",
    "strong-img": "specialties=Internal+Medicine&specialties=Neurology&visa=h1b&step1=pass"
    "&step2ck=256&step3=240&match_year=2028&graduation_year=2027&usce-1-months=6"
    "&usce-1-kind=hands_on&usce-1-specialty=Internal+Medicine&us_letters=3"
    "&us_letters_in_specialty=3&publications=4&research_months=12"
    "&research_institution=a+state+university",
    "us-img-fm": "specialties=Family+Medicine&applicant_type=us_img&visa=none&step1=pass"
    "&step2ck=232&match_year=2028&graduation_year=2028&usce-1-months=8&usce-1-kind=hands_on"
    "&usce-1-institution=US+core+rotation+sites&us_letters=3&us_letters_in_specialty=3"
    "&ties_states=TX",
    "psych-img": "specialties=Psychiatry&visa=j1&step1=pass&step2ck=241&match_year=2028"
    "&graduation_year=2024&usce-1-months=3&usce-1-kind=hands_on&usce-1-specialty=Psychiatry"
    "&us_letters=2&us_letters_in_specialty=2&posters=1&languages=Arabic",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(
    port: int,
    workers: int | None,
    home: str,
    smartpick: Path | None = None,
    *,
    write_bytecode: bool = False,
) -> subprocess.Popen[bytes]:
    """`smartpick serve` (this environment's, or `smartpick`) on `port`; workers None = default.
    `write_bytecode` lets Python keep its compiled modules even where the environment says not
    to (PYTHONDONTWRITEBYTECODE), as it does on a user's machine."""
    command = [str(smartpick or Path(sys.executable).parent / "smartpick"), "serve"]
    command += ["--port", str(port)]
    if workers is not None:
        command += ["--workers", str(workers)]
    env = {**os.environ, "SMARTPICK_HOME": home}
    if write_bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    return subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (uvicorn's worker processes), from /proc."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children") as f:
                    queue.extend(int(c) for c in f.read().split())
            except OSError:
                pass
    return found


def _status_kb(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class _Counters(NamedTuple):
    """What the server processes have used so far: CPU seconds (user + system), of which system
    (the kernel's work for them: page faults, system calls) and of which their main threads' (in
    a worker, the event loop: HTTP, routing, the middleware, while the pages are computed in its
    thread pool), and minor page faults (memory touched for the first time, or again after the
    kernel took it back: each a few microseconds of system time here)."""

    cpu_s: float
    system_s: float
    loop_s: float
    faults: int


def _machine_ticks() -> tuple[int, int]:
    """The whole machine's CPU clock ticks so far, (all, stolen): from the first line of
    /proc/stat, "stolen" being the time the host gave this virtual machine's CPUs to others
    while they had work (its `steal` field; (0, 0) where /proc/stat has no such line)."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0, 0
    return (sum(fields), fields[7]) if len(fields) == 8 else (0, 0)


def _counters(pids: list[int]) -> _Counters:
    """The processes' counters now, from /proc (a process that is gone counts 0)."""
    tick = os.sysconf("SC_CLK_TCK")
    user, system, faults = _stat(pids, main_threads=False)
    loop_user, loop_system, _ = _stat(pids, main_threads=True)
    return _Counters(
        (user + system) / tick, system / tick, (loop_user + loop_system) / tick, faults
    )


def _stat(pids: list[int], *, main_threads: bool) -> tuple[int, int, int]:
    """(user, system) clock ticks and minor faults summed over the processes (or their main
    threads)."""
    user = system = faults = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/task/{pid}/stat" if main_threads else f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        faults += int(fields[7])  # minflt
        user, system = user + int(fields[11]), system + int(fields[12])  # utime, stime
    return user, system, faults


def _pss_kb(pid: int) -> int:
    """The process's proportional set size: each page it shares counted as 1/sharers of it."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemorySampler:
    """Samples the server tree's total RSS every `interval` seconds in a thread, and its PSS every
    `pss_every`-th time.

    RSS summed over the processes counts a page the forked workers share with the parent once per
    process; PSS divides it among them, so its sum is the memory the server really holds. Reading
    PSS walks every mapping of the processes (about 15 ms of CPU each time for a loaded server, on
    the cores the server runs on), so it is read less often than RSS."""

    def __init__(self, pid: int, interval: float = 0.25, pss_every: int = 8) -> None:
        self.pid = pid
        self.interval = interval
        self.pss_every = pss_every
        self.peak_kb = 0
        self.peak_pss_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def total_kb(self) -> int:
        """Current RSS of the server process and its workers, in KB."""
        return sum(_status_kb(p, "VmRSS") for p in _process_tree(self.pid))

    def total_pss_kb(self) -> int:
        """Current PSS of the server process and its workers, in KB."""
        return sum(_pss_kb(p) for p in _process_tree(self.pid))

    def high_water_kb(self) -> list[int]:
        """Each process's own peak RSS (VmHWM), in KB."""
        return [_status_kb(p, "VmHWM") for p in _process_tree(self.pid)]

    def _run(self) -> None:
        tick = 0
        while not self._stop.wait(self.interval):
            self.peak_kb = max(self.peak_kb, self.total_kb())
            if tick % self.pss_every == 0:
                self.peak_pss_kb = max(self.peak_pss_kb, self.total_pss_kb())
            tick += 1

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _wait_until_up(base: str, seconds: float = 180.0) -> None:
    """Wait for the server's first page; a start that must rebuild its start cache (another
    checkout's model code replaced it) takes tens of seconds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/about", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"server did not start within {seconds:.0f} s")


QUERIES = [q + budget for q in PROFILES.values() for budget in ("", "&budget_usd=1200")]
# The same load runs this long before the timed window opens (`run_mixed`).
WARM_SECONDS = 5.0
WINDOW_SECONDS = 2.0  # the windows `Timings.windows` splits a run's answers into


@dataclass
class Timings:
    """What one kind of request saw under load."""

    latencies: list[float] = field(default_factory=list)  # seconds
    errors: list[str] = field(default_factory=list)
    by_client: dict[int, list[float]] = field(default_factory=dict)  # each client's latencies
    answered_at: list[float] = field(default_factory=list)  # each latency's answer, monotonic s
    body_bytes: int = 0  # the answers' bodies, summed (a page's weight costs both sides CPU)
    # each latency's answer as the server timed it: (queue wait, computing) in ms, or None
    server: list[tuple[float, float] | None] = field(default_factory=list)

    def across_clients(self, q: float | None = None) -> tuple[float, float]:
        """The lowest and highest over the clients of each one's mean latency (with `q`: its
        q-quantile), ms. Each client keeps its connection, so its worker: means far apart say
        the workers are unevenly loaded, p95s far apart that one worker's answers vary more
        (the one holding the plan clients: a page queued behind a plan waits for all of it)."""
        stats = [
            1000 * sum(x) / len(x) if q is None else _quantile(x, q)
            for x in self.by_client.values()
            if x
        ]
        return (min(stats), max(stats)) if stats else (float("nan"), float("nan"))

    def p(self, q: float) -> float:
        """The q-quantile of the latencies in ms (nan when there are none)."""
        return _quantile(self.latencies, q) if self.latencies else float("nan")

    def tail_split(self, q: float = 0.95) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """The server's mean (queue wait, computing) in ms for the answers at or above the
        latencies' q-quantile, and for the others (None unless the server timed both kinds).
        A tail that waited longer queued behind more work (or slower work); one that computed
        longer ran slower itself."""
        cut = self.p(q) / 1000 if self.latencies else 0.0
        slow = [t for t, x in zip(self.server, self.latencies, strict=True) if t and x >= cut]
        rest = [t for t, x in zip(self.server, self.latencies, strict=True) if t and x < cut]
        if not slow or not rest:
            return None

        def means(timed: list[tuple[float, float]]) -> tuple[float, float]:
            return sum(t[0] for t in timed) / len(timed), sum(t[1] for t in timed) / len(timed)

        return means(slow), means(rest)

    def windows(self, seconds: float = WINDOW_SECONDS) -> tuple[float, ...] | None:
        """Over the answers' `seconds`-long windows (those with 20 answers or more): the lowest
        and highest window median (ms), and the median and highest p95 / p50 within a window
        (None without such a window). Medians far apart with tight windows say the whole server
        slowed and sped up during the run (on a shared machine, its other work); wide windows
        say its own answers varied."""
        groups: dict[int, list[float]] = {}
        start = min(self.answered_at, default=0.0)
        for at, latency in zip(self.answered_at, self.latencies, strict=True):
            groups.setdefault(int((at - start) // seconds), []).append(latency)
        full = [group for group in groups.values() if len(group) >= 20]
        if not full:
            return None
        medians = [_quantile(group, 0.5) for group in full]
        spreads = sorted(_quantile(group, 0.95) / _quantile(group, 0.5) for group in full)
        return min(medians), max(medians), spreads[len(spreads) // 2], spreads[-1]


def _quantile(seconds: list[float], q: float) -> float:
    """The q-quantile of latencies in seconds (not empty), in ms: the value at rank q x n."""
    ms = sorted(x * 1000 for x in seconds)
    return ms[min(len(ms) - 1, int(q * len(ms)))]


class _Answer(asyncio.Protocol):
    """Reads one answer at a time from a keep-alive connection: its head parsed, its body only
    counted as it arrives (never kept or copied: the load measures the server, not the client)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.waiting: asyncio.Future[tuple[int, int]] | None = None  # the answer being read
        self._head = bytearray()  # the head read so far (until its blank line)
        self._left = -1  # body bytes still to come; -1 while the head is read
        self._answer = (0, 0)  # (status, body bytes)
        self.close_after = False  # the server said "Connection: close"
        self.server: tuple[float, float] | None = None  # its Server-Timing: (queue, compute) ms

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def expect(self, future: asyncio.Future[tuple[int, int]]) -> None:
        """Read the next answer into `future`: (status, body bytes)."""
        self.waiting, self._left, self.close_after = future, -1, False

    def data_received(self, data: bytes) -> None:
        if self._left < 0:
            self._head += data
            end = self._head.find(b"\r\n\r\n")
            if end < 0:
                return
            try:
                self._read_head(bytes(self._head[:end]))
            except ValueError as err:
                self._finish(err)
                return
            self._left = self._answer[1] - (len(self._head) - end - 4)
            self._head.clear()
        else:
            self._left -= len(data)
        if self._left == 0:
            self._finish(None)
        elif self._left < 0:
            self._finish(ValueError("more bytes than the answer's length"))

    def _read_head(self, head: bytes) -> None:
        lines = head.decode("latin-1").split("\r\n")
        fields = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:] if line)
        }
        if "content-length" not in fields:  # SmartPick's pages and panels all give it
            raise ValueError("an answer without a length")
        self._answer = (int(lines[0].split(" ", 2)[1]), int(fields["content-length"]))
        self.close_after = fields.get("connection", "").lower() == "close"
        self.server = _server_timing(fields.get("server-timing", ""))

    def _finish(self, error: Exception | None) -> None:
        future, self.waiting = self.waiting, None
        if future is not None and not future.done():
            if error is None:
                future.set_result(self._answer)
            else:
                future.set_exception(error)
        if error is not None and self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self._finish(exc or ConnectionResetError("the server closed the connection"))


def _server_timing(value: str) -> tuple[float, float] | None:
    """(queue, compute) in ms from a `Server-Timing` header's value (None without both)."""
    found: dict[str, float] = {}
    for metric in value.split(","):
        name, _, params = metric.strip().partition(";")
        for param in params.split(";"):
            key, _, number = param.strip().partition("=")
            if key == "dur":
                try:
                    found[name] = float(number)
                except ValueError:  # a malformed header times nothing; the answer still counts
                    return None
    if "queue" not in found or "compute" not in found:
        return None
    return found["queue"], found["compute"]


class _Connection:
    """One client's keep-alive HTTP/1.1 connection.

    A lean client on purpose: the load runs on the same cores as the server, and a client that
    costs 8 ms of CPU a request (httpx in 50 threads did) takes a third of the machine from the
    server it measures. Read with asyncio streams it cost 0.6-0.7 ms a results page (the body
    buffered and copied); read by a protocol that counts the body's bytes as they arrive
    (`_Answer`), about 0.1 ms (`bench/page_bytes.py`)."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.answer: _Answer | None = None
        self.server: tuple[float, float] | None = None  # the last answer's Server-Timing

    async def get(self, target: str) -> tuple[int, int]:
        """GET `target`; (status, body bytes), and its Server-Timing in `server`. Raises OSError
        or ValueError on a broken answer (then `server` is None)."""
        self.server = None
        loop = asyncio.get_running_loop()
        if self.answer is None or self.answer.transport is None:
            _, self.answer = await loop.create_connection(_Answer, self.host, self.port)
        answer = self.answer
        done: asyncio.Future[tuple[int, int]] = loop.create_future()
        answer.expect(done)
        request = f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{self.extra}\r\n"
        if answer.transport is None:  # lost as it opened
            raise ConnectionResetError("the server closed the connection")
        answer.transport.write(request.encode())
        found = await done
        self.server = answer.server
        if answer.close_after:
            self.close()
        return found

    def close(self) -> None:
        """Drop the connection (the next `get` opens a new one)."""
        if self.answer is not None and self.answer.transport is not None:
            self.answer.transport.close()
        self.answer = None


def run_mixed(
    base: str,
    groups: dict[str, int],
    seconds: float,
    queries: list[str] = QUERIES,
    headers: dict[str, dict[str, str]] | None = None,
    on_start: Callable[[], object] | None = None,
    warm_seconds: float = WARM_SECONDS,
) -> tuple[dict[str, Timings], float]:
    """`groups[path]` clients per path, each asking `path?query` for the queries in turn on its
    own keep-alive connection for `warm_seconds` and then `seconds` more; what each path saw in
    those `seconds` (the requests sent in them), and the wall time from their start until the
    last answer (`on_start` is called as they start).

    The warm-up is the same load, so that every worker process has answered every address
    before the timed window (a worker's first answer for a specialty and applicant type does
    one-time work; one connection would warm one worker only): the figures are the sustained
    ones. It starts with one request per profile and path on one connection, which must
    succeed."""
    with httpx.Client(base_url=base, timeout=120) as warm:  # each path works for each profile
        for path in groups:
            for q in queries[:: len(queries) // len(PROFILES)]:
                warm.get(f"{path}?{q}", headers=(headers or {}).get(path)).raise_for_status()
    seen = {path: Timings() for path in groups}
    host, port = base.removeprefix("http://").rsplit(":", 1)

    async def client(path: str, index: int, opens: float, deadline: float) -> None:
        connection = _Connection(host, int(port), (headers or {}).get(path) or {})
        i = index
        while time.monotonic() < deadline:
            q = queries[i % len(queries)]
            i += 1
            timed = time.monotonic() >= opens
            start = time.perf_counter()
            try:
                async with asyncio.timeout(60):  # no task of its own, as wait_for makes
                    status, size = await connection.get(f"{path}?{q}")
                ok, detail = status == 200, f"HTTP {status}"
            except (OSError, ValueError, TimeoutError) as err:
                connection.close()
                ok, detail, size = False, type(err).__name__, 0
            if not timed:
                continue
            seen[path].body_bytes += size
            seen[path].latencies.append(time.perf_counter() - start)
            seen[path].answered_at.append(time.monotonic())
            seen[path].server.append(connection.server)
            seen[path].by_client.setdefault(index, []).append(seen[path].latencies[-1])
            if not ok:
                seen[path].errors.append(detail)
        connection.close()

    started = 0.0

    async def open_window(at: float) -> None:
        nonlocal started
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        if on_start is not None:
            on_start()
        started = time.monotonic()

    async def everyone() -> None:
        opens = time.monotonic() + warm_seconds
        deadline = opens + seconds
        await asyncio.gather(
            open_window(opens),
            *(
                client(path, i, opens, deadline)
                for path, count in groups.items()
                for i in range(count)
            ),
        )

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(everyone())
    return seen, time.monotonic() - started


PLAN_PATH = "/results/plan"
HTMX = {"HX-Request": "true"}  # the plan panel loads as an htmx fragment


@dataclass
class LoadResult:
    """One load test: what each path saw, the wall time and the server's memory (MB)."""

    paths: dict[str, Timings]
    wall: float
    workers: int | None
    start_mb: float
    peak_mb: float
    settled_mb: float
    high_water_mb: list[float]
    peak_pss_mb: float = 0.0
    server_cpu_s: float = 0.0  # the server processes' CPU over the timed window
    loop_cpu_s: float = 0.0  # of which their main threads' (the workers' event loops)
    client_cpu_s: float = 0.0  # this process's CPU (the clients, the memory sampler) over it
    server_system_s: float = 0.0  # of the server's CPU, the system time (the kernel's work)
    server_faults: int = 0  # the server processes' minor page faults over the timed window
    stolen: float = float("nan")  # share of the machine's CPU time the host took (steal) over it
    connections: list[int] = field(default_factory=list)  # per server process, timed window's start


def load_test(
    *,
    clients: int,
    seconds: float,
    path: str = "/api/results",
    plan_clients: int = 0,
    workers: int | None = None,
    smartpick: Path | None = None,
    settle_seconds: float = 5.0,
    warm_seconds: float = WARM_SECONDS,
) -> LoadResult:
    """Start `smartpick serve`, run `clients` on `path` (+ `plan_clients` on the plan panel) for
    `warm_seconds` and then the measured `seconds`, stop the server. `smartpick`: another
    checkout's command; workers None = default."""
    # here, not at the top: the benches that borrow this module's helpers need none of its imports
    from smartpick.testing import connections_by_process

    groups = {path: clients, **({PLAN_PATH: plan_clients} if plan_clients else {})}
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="smartpick-load-") as home:
        server = _start_server(port, workers, home, smartpick)
        try:
            _wait_until_up(base)
            sampler = MemorySampler(server.pid)
            start_mb = sampler.total_kb() / 1024
            pids = _process_tree(server.pid)
            # the server's counters, this process's CPU, the machine's ticks (all, stolen)
            at_start: list[tuple[_Counters, float, tuple[int, int]]] = []
            held: dict[int, int] = {}  # established connections per server process, at the start

            def on_start() -> None:
                at_start.append((_counters(pids), time.process_time(), _machine_ticks()))
                held.update(connections_by_process(pids, port))

            with sampler:
                seen, wall = run_mixed(
                    base,
                    groups,
                    seconds,
                    headers={PLAN_PATH: HTMX},
                    warm_seconds=warm_seconds,
                    on_start=on_start,
                )
            (before, client_before, ticks_before), after = at_start[0], _counters(pids)
            client_cpu = time.process_time() - client_before
            ticks = [now - then for now, then in zip(_machine_ticks(), ticks_before, strict=True)]
            time.sleep(settle_seconds)  # let freed memory go back before the "settled" figure
            settled_mb = sampler.total_kb() / 1024
            high_water = [kb / 1024 for kb in sampler.high_water_kb()]
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    return LoadResult(
        seen,
        wall,
        workers,
        start_mb,
        sampler.peak_kb / 1024,
        settled_mb,
        high_water,
        sampler.peak_pss_kb / 1024,
        server_cpu_s=after.cpu_s - before.cpu_s,
        loop_cpu_s=after.loop_s - before.loop_s,
        client_cpu_s=client_cpu,
        server_system_s=after.system_s - before.system_s,
        server_faults=after.faults - before.faults,
        connections=[n for n in held.values() if n],  # the parent only listens
        stolen=ticks[1] / ticks[0] if ticks[0] > 0 else float("nan"),
    )


def main() -> None:
    """Run the load test and print p50/p95 latency, throughput and errors."""
    parser = argparse.ArgumentParser(description="Load test of the SmartPick results endpoint.")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--path", default="/api/results")
    parser.add_argument(
        "--plan-clients", type=int, default=0, help="clients on the plan panel at the same time"
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="smartpick serve --workers (default: its own)"
    )
    parser.add_argument(
        "--warm-seconds",
        type=float,
        default=WARM_SECONDS,
        help="how long the same load runs before the measured seconds (0: none)",
    )
    args = parser.parse_args()
    if (
        not 1 <= args.clients <= 200
        or not 0 <= args.plan_clients <= 50
        or not 1 <= args.seconds <= 120
        or not (args.workers is None or 1 <= args.workers <= 8)
        or not 0 <= args.warm_seconds <= 60
    ):
        parser.error(
            "clients must be 1-200, plan-clients 0-50, seconds 1-120, workers 1-8 and "
            "warm-seconds 0-60"
        )
    result = load_test(
        clients=args.clients,
        seconds=args.seconds,
        path=args.path,
        plan_clients=args.plan_clients,
        workers=args.workers,
        warm_seconds=args.warm_seconds,
    )
    workers = "default" if args.workers is None else args.workers
    print(
        f"clients         {args.clients} on {args.path} + {args.plan_clients} on {PLAN_PATH}, "
        f"{args.seconds:.0f} s on 127.0.0.1 after {args.warm_seconds:.0f} s of warm-up, "
        f"{workers} server worker(s), {os.cpu_count()} CPUs"
    )
    print("queries         the six reference profiles, default volume and $1,200, in turn")
    for path, seen in result.paths.items():
        n = len(seen.latencies)
        print(
            f"{path:15} {n} in {result.wall:.1f} s ({n / result.wall:.1f} req/s), "
            f"p50 {seen.p(0.5):.0f} ms, p95 {seen.p(0.95):.0f} ms, max {seen.p(1.0):.0f} ms, "
            f"errors {len(seen.errors)} ({', '.join(sorted(set(seen.errors))) or 'none'})"
        )
        (low, high), (low95, high95) = seen.across_clients(), seen.across_clients(0.95)
        print(
            f"{'':15} the clients' mean latencies from {low:.0f} to {high:.0f} ms, their p95s "
            f"from {low95:.0f} to {high95:.0f} ms; answers of "
            f"{seen.body_bytes / max(n, 1) / 1024:.0f} KB on average"
        )
        windows = seen.windows()
        if windows is not None:
            low_median, high_median, spread, widest = windows
            print(
                f"{'':15} over {WINDOW_SECONDS:.0f}-second windows: medians from {low_median:.0f}"
                f" to {high_median:.0f} ms; p95 / p50 within one {spread:.2f} (median), at most "
                f"{widest:.2f}"
            )
        split = seen.tail_split()
        if split is not None:
            (slow_queue, slow_compute), (queue, compute) = split
            print(
                f"{'':15} the slowest 5% waited {slow_queue:.0f} ms in the server's queue and "
                f"computed {slow_compute:.0f} ms, the others {queue:.0f} and {compute:.0f} ms "
                "(means, as the server timed them)"
            )
    print(
        f"connections     {' / '.join(map(str, result.connections)) or 'none'} "
        "(each serving process's clients as the timed seconds began)"
    )
    answered = sum(len(seen.latencies) for seen in result.paths.values())
    print(
        f"server CPU      {1000 * result.server_cpu_s / max(answered, 1):.1f} ms per request "
        f"(all paths), {result.server_cpu_s / result.wall:.2f} CPUs busy on average; of which "
        f"{1000 * result.loop_cpu_s / max(answered, 1):.1f} ms on the event loops (HTTP, routing, "
        f"middleware) and {1000 * result.server_system_s / max(answered, 1):.1f} ms of system time "
        f"({result.server_faults / max(answered, 1):.0f} minor page faults a request)"
    )
    print(
        f"client CPU      {1000 * result.client_cpu_s / max(answered, 1):.2f} ms per request "
        "(this process: the clients and the memory sampler)"
    )
    print(
        f"machine         {100 * result.stolen:.1f}% of its CPU time taken by the host for others "
        "(steal) over the timed seconds: the share this run lost to the machine's neighbours"
    )
    print(
        f"server RSS      start {result.start_mb:.0f} MB, peak {result.peak_mb:.0f} MB, "
        f"settled {result.settled_mb:.0f} MB (all {len(result.high_water_mb)} server processes)"
    )
    print(f"server PSS peak {result.peak_pss_mb:.0f} MB (shared pages counted once)")
    print(f"peak per process {', '.join(f'{mb:.0f} MB' for mb in result.high_water_mb)} (VmHWM)")


if __name__ == "__main__":
    main()
