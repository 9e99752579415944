"""Abandoned requests (reliability review D11): how long the server stays busy for nobody.

Starts `smartpick serve` on a free loopback port (its own process, stopped at the end), sends N
plan requests at once on raw sockets, and closes every socket after `--client-seconds` (the
review used `curl -m 1`). Then it watches the server's CPU time in /proc until it stops rising and
prints how long the server stayed busy after the clients left and how many CPU-seconds it spent.
Finally it checks that the server still answers.

    .venv/bin/python bench/abandoned.py [--requests 30] [--client-seconds 1] [--path /results/plan]
        [--worst]   (the review's heaviest profile: 6 specialties, 400 programs, $20,000)
"""

from __future__ import annotations

import argparse
import os
import socket
import tempfile
import time

import httpx
from load import _free_port, _process_tree, _start_server, _wait_until_up

# The review's profile (D11 set-up), one what-if value per request so no two are alike.
QUERY = "specialties=Internal+Medicine&visa=j1&step1=pass&step2ck=238&graduation_year=2024"
WORST = (
    "specialties=Internal+Medicine&specialties=Family+Medicine&specialties=Pediatrics"
    "&specialties=Psychiatry&specialties=Neurology&specialties=Pathology&visa=either&step1=pass"
    "&step2ck=250&graduation_year=2024&count=400&budget_usd=20000"
)
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the server process and its workers, from /proc."""
    total = 0
    for p in _process_tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / TICKS


def abandon(port: int, target: str, requests: int, client_seconds: float) -> None:
    """Send the requests at once, then close every socket after `client_seconds`."""
    socks = []
    for i in range(1, requests + 1):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        url = f"{target}&posters={i}"  # no two requests alike
        sock.sendall(f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        socks.append(sock)
    time.sleep(client_seconds)
    for sock in socks:
        sock.close()


def settle(pid: int, quiet_seconds: float, limit_seconds: float) -> tuple[float, float]:
    """Wait until the CPU time stops rising; (seconds until the last rise, CPU-seconds spent)."""
    start, cpu0 = time.monotonic(), cpu_seconds(pid)
    last_rise, last_cpu = start, cpu0
    while time.monotonic() - last_rise < quiet_seconds and time.monotonic() - start < limit_seconds:
        time.sleep(0.1)
        now = cpu_seconds(pid)
        if now - last_cpu > 0.02:  # more than an idle event loop's ticks
            last_rise = time.monotonic()
        last_cpu = now
    return last_rise - start, last_cpu - cpu0


def main() -> None:
    """Run the reproduction and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--client-seconds", type=float, default=1.0)
    parser.add_argument("--path", default="/results/plan")
    parser.add_argument("--workers", type=int, default=1, help="smartpick serve --workers")
    parser.add_argument("--worst", action="store_true", help="the review's heaviest profile")
    args = parser.parse_args()
    if not 1 <= args.requests <= 200 or not 0 < args.client_seconds <= 30:
        parser.error("requests must be 1-200 and client-seconds 0-30")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="smartpick-abandoned-") as home:
        server = _start_server(port, args.workers, home)
        try:
            _wait_until_up(base)
            httpx.get(f"{base}/api/results?{QUERY}", timeout=120)  # warm the model's caches
            cpu_before = cpu_seconds(server.pid)
            started = time.monotonic()
            query = WORST if args.worst else QUERY
            abandon(port, f"{args.path}?{query}", args.requests, args.client_seconds)
            left = time.monotonic() - started
            busy, _ = settle(server.pid, quiet_seconds=3.0, limit_seconds=600)
            cpu = cpu_seconds(server.pid) - cpu_before
            t0 = time.monotonic()
            status = httpx.get(f"{base}/api/results?{QUERY}", timeout=120).status_code
            after = time.monotonic() - t0
        finally:
            server.terminate()
            server.wait(timeout=10)
    profile = "the heaviest profile" if args.worst else "the review's profile"
    print(f"requests        {args.requests} x {args.path}, {profile} (closed after {left:.1f} s)")
    print(f"busy after      {busy:.1f} s past the clients' departure")
    print(f"server CPU      {cpu:.1f} CPU-seconds from the first request until idle")
    print(f"next request    {status} in {after:.2f} s ({os.cpu_count()} CPUs, shared machine)")


if __name__ == "__main__":
    main()
