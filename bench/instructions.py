"""Instructions a results page and a plan panel cost, counted by valgrind: two checkouts compared
by a figure the machine's other work does not move.

    .venv/bin/python bench/instructions.py [--before CHECKOUT] [--passes 1]

On a shared machine the CPU time of the same request moves by a quarter from one quarter-hour to
the next, so a change worth a few percent cannot be told from the noise by timing it. valgrind's
callgrind counts the instructions the process executes instead (`Ir`), which depend only on the
code and its input (the count of the same code varies by well under 1% between runs: memory
addresses and hash seeds change some branches). An instruction is not a fixed time (a cache miss
costs more than an add), so this measures the work done, not its speed; time changes are for
`bench/request_cpu.py` and `bench/load.py`.

Each checkout runs in its own interpreter (`CHECKOUT/.venv`), both at once under
`valgrind --tool=callgrind` with the counting off; the app is built as `smartpick serve` builds
it (`create_app`, `preload`) and answers every address of `bench/load.py` once (the warm-up: each
specialty's and applicant type's one-time work), its objects frozen out of the cyclic collector's
reach as the server freezes its start's; then the counting is turned on
(`callgrind_control`) for `--passes` passes over the 12 addresses' results pages, then over their
plan panels, through the app (Starlette's test client, the same on both sides). It prints the
instructions per request of each and the ratio, and where callgrind's files are (their counts by
machine function: `callgrind_annotate FILE`; the compiled kernels have no names there). Needs valgrind (Debian's `valgrind` package); a
run takes about 6 minutes (the imports and the preload run under valgrind too).
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PATHS = {"results page": ("/results", {}), "plan panel": ("/results/plan", {"HX-Request": "true"})}


def _control(*args: str) -> None:
    """Tell the callgrind running this process to do something (`callgrind_control`)."""
    subprocess.run(["callgrind_control", *args, str(os.getpid())], check=True, capture_output=True)


def probe(checkout: Path, passes: int) -> dict[str, Any]:
    """Count the measured requests in this interpreter (run under callgrind by `main`): the
    number of requests of each kind, in the order their counts are dumped."""
    os.environ["SMARTPICK_HOME"] = tempfile.mkdtemp(prefix="smartpick-instructions-")
    sys.path.insert(0, str(HERE))
    from load import QUERIES
    from starlette.testclient import TestClient

    from smartpick.cli.serve_cmd import _collect_for_serving
    from smartpick.web.app import WebSettings, create_app, preload

    gc.disable()  # as `smartpick serve` starts, and then collects as its workers do
    app = create_app(WebSettings())
    preload(app)
    client = TestClient(app, base_url="http://127.0.0.1")
    for path, headers in PATHS.values():  # the warm-up, not counted
        for query in QUERIES:
            client.get(f"{path}?{query}", headers=headers).raise_for_status()
    # What the start and the warm-up left is moved out of the collector's reach, so a full
    # collection in the counted window (which a count of allocations triggers, at a moment that
    # moves from run to run) scans the requests' own objects only.
    gc.collect()
    gc.freeze()
    _collect_for_serving()
    _control("--instr=on")
    counted = {}
    for name, (path, headers) in PATHS.items():
        _control("--zero")
        for _ in range(passes):
            for query in QUERIES:
                client.get(f"{path}?{query}", headers=headers).raise_for_status()
        _control("--dump")  # this kind's instructions, in a file of their own
        counted[name] = passes * len(QUERIES)
    _control("--instr=off")
    return counted


def _totals(out_file: Path) -> list[int]:
    """The `totals:` of each dump callgrind wrote next to `out_file` (`out_file.1`, ...)."""
    found = []
    for part in sorted(out_file.parent.glob(out_file.name + ".*"), key=lambda p: int(p.suffix[1:])):
        for line in part.read_text().splitlines():
            if line.startswith("totals:"):
                found.append(int(line.split()[1]))
                break
    return found


def _compile_kernels(checkout: Path) -> None:
    """Import the checkout's compiled kernels once outside valgrind: numba compiles any whose
    cache is missing or stale (seconds here, an hour under valgrind)."""
    subprocess.run(
        [str(checkout / ".venv" / "bin" / "python"), "-c", "import smartpick.web.app"],
        cwd=checkout,
        check=True,
    )


def _start(checkout: Path, out_file: Path, passes: int) -> subprocess.Popen[str]:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out_file}",
        str(checkout / ".venv" / "bin" / "python"),
        str(Path(__file__).resolve()),
        "--probe",
        str(checkout),
        "--passes",
        str(passes),
    ]
    env = os.environ | {"PYTHONHASHSEED": "0"}  # the same set orders in every run
    return subprocess.Popen(
        command, cwd=checkout, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def main() -> int:
    """Run both checkouts under callgrind at once and print instructions per request."""
    sys.path.insert(0, str(HERE))
    from checkouts import checkout_arguments

    args = checkout_arguments(("passes", 1, 5, "passes over the 12 addresses"), probe)
    if args is None:  # a probe: its figures are printed
        return 0
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        print("valgrind is needed: apt-get install -y valgrind", file=sys.stderr)
        return 2
    checkouts = {"after": HERE.parent} | ({"before": args.before.resolve()} if args.before else {})
    for path in checkouts.values():
        _compile_kernels(path)
    work = Path(tempfile.mkdtemp(prefix="instructions-"))
    started = time.monotonic()
    runs = {
        name: (_start(path, work / f"{name}.out", args.passes), work / f"{name}.out")
        for name, path in checkouts.items()
    }
    per_request: dict[str, dict[str, float]] = {}
    for name, (process, out_file) in runs.items():
        stdout, stderr = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"the probe failed on {checkouts[name]}:\n{stderr[-3000:]}")
        counted: dict[str, int] = json.loads(stdout.strip().splitlines()[-1])
        totals = _totals(out_file)
        if len(totals) != len(counted):
            raise SystemExit(f"callgrind wrote {len(totals)} dumps for {checkouts[name]}")
        per_request[name] = {
            kind: total / n for (kind, n), total in zip(counted.items(), totals, strict=True)
        }
    print(f"instructions per request (millions), {args.passes} pass(es) over the 12 addresses,")
    print(f"counted by callgrind in {time.monotonic() - started:.0f} s")
    print(f"{'':<16}" + "".join(f"{name:>12}" for name in per_request), end="")
    print(f"{'before/after':>14}" if "before" in per_request else "")
    for kind in PATHS:
        row = [per_request[name][kind] for name in per_request]
        line = f"{kind:<16}" + "".join(f"{value / 1e6:>12.1f}" for value in row)
        if "before" in per_request:
            line += f"{per_request['before'][kind] / per_request['after'][kind]:>13.2f}x"
        print(line)
    print(f"callgrind's counts by function: callgrind_annotate {work}/<checkout>.out.<1 or 2>")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
