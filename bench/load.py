"""Load test of the results endpoint: latency, errors and the server's memory, 50 clients, 30 s.

Starts `smartpick serve` on a free loopback port (its own process, stopped at the end), then runs
50 client threads that each request `/api/results` for the six reference profiles in turn for
30 seconds, and prints the figures. Bounded and loopback only.

Memory is the server's resident set (RSS) from /proc, summed over the server process and its
worker processes (`--workers`): at start, sampled peak under load, and after the load settles;
plus each process's own high-water mark (VmHWM).

    .venv/bin/python bench/load.py [--clients 50] [--seconds 30] [--workers 1] [--path /api/results]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

# The six reference applicants (reference_profiles.md) as results-page queries.
PROFILES = {
    "guide-sample": "specialties=Internal+Medicine&visa=j1&step1=score&step1_score=209&step2ck=224"
    "&graduation_year=2025&usce_months=1&usce_kind=observership&us_letters=1"
    "&us_letters_in_specialty=1",
    "low-score-late": "specialties=Internal+Medicine&specialties=Family+Medicine&visa=j1"
    "&step1=fail_then_pass&step2ck=221&graduation_year=2020&usce_months=3&usce_kind=hands_on"
    "&us_letters=2&us_letters_in_specialty=2&posters=1",
    "average-img": "specialties=Internal+Medicine&visa=either&step1=pass&step2ck=238&step3=225"
    "&graduation_year=2024&usce_months=4&usce_kind=hands_on&us_letters=3"
    "&us_letters_in_specialty=3&abstracts=2&publications=1&languages=Spanish"
    "&preferred_regions=Midwest",
    "strong-img": "specialties=Internal+Medicine&specialties=Neurology&visa=h1b&step1=pass"
    "&step2ck=256&step3=240&graduation_year=2026&usce_months=6&usce_kind=hands_on&us_letters=3"
    "&us_letters_in_specialty=3&publications=4",
    "us-img-fm": "specialties=Family+Medicine&applicant_type=us_img&visa=none&step1=pass"
    "&step2ck=232&graduation_year=2027&usce_months=8&usce_kind=hands_on&us_letters=3"
    "&us_letters_in_specialty=3&ties_states=TX",
    "psych-img": "specialties=Psychiatry&visa=j1&step1=pass&step2ck=241&graduation_year=2023"
    "&usce_months=3&usce_kind=hands_on&us_letters=2&us_letters_in_specialty=2&posters=1"
    "&languages=Arabic",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(port: int, workers: int, home: str) -> subprocess.Popen[bytes]:
    smartpick = Path(sys.executable).parent / "smartpick"
    return subprocess.Popen(
        [str(smartpick), "serve", "--port", str(port), "--workers", str(workers)],
        env={**os.environ, "SMARTPICK_HOME": home},
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


class MemorySampler:
    """Samples the server tree's total RSS every `interval` seconds in a background thread."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def total_kb(self) -> int:
        """Current RSS of the server process and its workers, in KB."""
        return sum(_status_kb(p, "VmRSS") for p in _process_tree(self.pid))

    def high_water_kb(self) -> list[int]:
        """Each process's own peak RSS (VmHWM), in KB."""
        return [_status_kb(p, "VmHWM") for p in _process_tree(self.pid)]

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_kb = max(self.peak_kb, self.total_kb())

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _wait_until_up(base: str) -> None:
    for _ in range(200):
        try:
            if httpx.get(base + "/about", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def run(base: str, path: str, clients: int, seconds: float) -> tuple[list[float], list[str], float]:
    """Latencies (s), errors and wall time of `clients` threads hammering `path` for `seconds`."""
    queries = list(PROFILES.values())
    with httpx.Client(base_url=base, timeout=120) as client:  # warm-up: one per profile
        for q in queries:
            client.get(f"{path}?{q}").raise_for_status()
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            i = index
            while time.monotonic() < deadline:
                q = queries[i % len(queries)]
                i += 1
                start = time.perf_counter()
                try:
                    r = client.get(f"{path}?{q}")
                    ok, detail = r.status_code == 200, f"HTTP {r.status_code}"
                except httpx.HTTPError as err:
                    ok, detail = False, type(err).__name__
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    if not ok:
                        errors.append(detail)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.monotonic() - started


def main() -> None:
    """Run the load test and print p50/p95 latency, throughput and errors."""
    parser = argparse.ArgumentParser(description="Load test of the SmartPick results endpoint.")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--path", default="/api/results")
    parser.add_argument("--workers", type=int, default=1, help="smartpick serve --workers")
    args = parser.parse_args()
    if not 1 <= args.clients <= 200 or not 1 <= args.seconds <= 120 or not 1 <= args.workers <= 8:
        parser.error("clients must be 1-200, seconds 1-120 and workers 1-8")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="smartpick-load-") as home:
        server = _start_server(port, args.workers, home)
        try:
            _wait_until_up(base)
            sampler = MemorySampler(server.pid)
            start_mb = sampler.total_kb() / 1024
            with sampler:
                latencies, errors, wall = run(base, args.path, args.clients, args.seconds)
            time.sleep(5)  # let freed memory go back before the "settled" figure
            settled_mb = sampler.total_kb() / 1024
            high_water = [kb / 1024 for kb in sampler.high_water_kb()]
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    ms = sorted(x * 1000 for x in latencies)
    p50 = statistics.median(ms) if ms else float("nan")
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))] if ms else float("nan")
    print(f"endpoint        {args.path} (the six reference profiles in turn)")
    print(
        f"clients         {args.clients} concurrent for {args.seconds:.0f} s on 127.0.0.1, "
        f"{args.workers} server worker(s), {os.cpu_count()} CPUs"
    )
    print(f"requests        {len(ms)} in {wall:.1f} s ({len(ms) / wall:.1f} req/s)")
    print(f"latency p50     {p50:.0f} ms")
    print(f"latency p95     {p95:.0f} ms")
    print(f"latency max     {ms[-1] if ms else float('nan'):.0f} ms")
    print(f"errors          {len(errors)} ({', '.join(sorted(set(errors))) or 'none'})")
    print(
        f"server RSS      start {start_mb:.0f} MB, peak {sampler.peak_kb / 1024:.0f} MB, ", end=""
    )
    print(f"settled {settled_mb:.0f} MB (all {len(high_water)} server processes)")
    print(f"peak per process {', '.join(f'{mb:.0f} MB' for mb in high_water)} (VmHWM)")


if __name__ == "__main__":
    main()
