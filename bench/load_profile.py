"""Where the server's CPU goes under `bench/load.py`'s mixed load: a sampling profile of its
workers (py-spy), summed by function.

    .venv/bin/python bench/load_profile.py [--seconds 20] [--plan-clients 4] [--top 30]

Starts `smartpick serve --workers 2` on a free loopback port, runs 50 clients on the results page
and `--plan-clients` on the plan panel (as `bench/targets.py` does) and samples every worker's
Python stacks at 200 Hz for `--seconds` (idle threads left out), then prints, as shares of all
samples: the results page and the plan panel; the largest functions with what they call
("inclusive"); and the functions that are on top of the stack ("self": compiled kernels count as
the Python line that calls them). Sampling slows the server a little; the shares hold, the
throughput it prints does not.

py-spy is a profiler, not a dependency of SmartPick: install it into this environment first
(`.venv/bin/pip install py-spy`); it reads the workers' memory, which needs the same user (and,
in some containers, ptrace permission).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import load  # noqa: E402  (a sibling module of this script)

RATE_HZ = 200
_LINE = re.compile(r":\d+\)$")  # a frame's line number: summed by function, not line


def _frames(stack: str) -> list[str]:
    return [_LINE.sub(")", frame) for frame in stack.split(";")]


def shares(raw: str) -> tuple[int, Counter[str], Counter[str]]:
    """(samples, inclusive, self) from py-spy's raw output ("frame;frame;... count" lines)."""
    total, inclusive, own = 0, Counter[str](), Counter[str]()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        frames, n = _frames(stack), int(count)
        total += n
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    return total, inclusive, own


def main() -> int:
    """Run the load with the profiler attached and print the shares."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--plan-clients", type=int, default=4)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if spy is None:
        parser.error("py-spy is not installed: .venv/bin/pip install py-spy")
    if not (5 <= args.seconds <= 120 and 0 <= args.plan_clients <= 50 and 1 <= args.top <= 200):
        parser.error("seconds 5-120, plan-clients 0-50, top 1-200")
    port = load._free_port()
    base = f"http://127.0.0.1:{port}"
    groups = {"/results": 50, **({load.PLAN_PATH: args.plan_clients} if args.plan_clients else {})}
    with tempfile.TemporaryDirectory(prefix="smartpick-profile-") as home:
        out = Path(home) / "samples.txt"
        server = load._start_server(port, 2, home)
        try:
            load._wait_until_up(base)
            sampler = subprocess.Popen(
                [spy, "record", "--pid", str(server.pid), "--subprocesses", "--nonblocking"]
                + ["--format", "raw", "--rate", str(RATE_HZ), "--output", str(out)]
                + ["--duration", str(int(args.seconds))],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            seen, wall = load.run_mixed(
                base, groups, args.seconds + 3, headers={load.PLAN_PATH: load.HTMX}, warm_seconds=0
            )
            if sampler.wait(timeout=60) != 0 or not out.exists():
                print("py-spy failed (permission to read the workers' memory?)", file=sys.stderr)
                return 1
            raw = out.read_text()
        finally:
            server.terminate()
            server.wait(timeout=30)
    for path, timings in seen.items():
        print(f"{path}: {len(timings.latencies)} answers in {wall:.0f} s (under the profiler)")
    total, inclusive, own = shares(raw)
    print(f"{total} samples of the workers' busy threads at {RATE_HZ} Hz")
    print("\nshare of all samples, by page (what the route and everything it calls took)")
    for route in ("results_page", "plan_panel"):
        found = [n for frame, n in inclusive.items() if frame.startswith(route + " ")]
        print(f"  {100 * sum(found) / total:5.1f}%  {route}")
    print("\ninclusive (the function and what it calls), SmartPick's own functions")
    mine = [(f, n) for f, n in inclusive.most_common() if "(smartpick/" in f]
    for frame, n in mine[: args.top]:
        print(f"  {100 * n / total:5.1f}%  {frame}")
    print("\nself (on top of the stack)")
    for frame, n in own.most_common(args.top):
        print(f"  {100 * n / total:5.1f}%  {frame}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
