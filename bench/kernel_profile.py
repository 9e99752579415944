"""Where the compiled kernels spend a results page's or a plan panel's time, by kernel function.

    .venv/bin/python bench/kernel_profile.py [--path plan] [--seconds 20]

callgrind and perf see numba's compiled code as anonymous addresses. This script compiles the
kernels afresh (numba's cache is pointed at an empty folder, so each function's machine code and
its address are known), builds the app as `smartpick serve` does, answers the 12 addresses of
`bench/load.py` twice (the warm-up), writes a perf map of every compiled function of SmartPick
(`/tmp/perf-PID.map`, the format perf reads for code made at run time), and then answers the
addresses again and again while `perf record -e cpu-clock` samples the process (a software
clock: this machine has no hardware counters). It prints each compiled function's share of all
the samples (the interpreter, numpy and the C library included) and the compiled code's share in
all. A kernel that another one inlines counts as that one. Needs Debian's `linux-perf`; the
fresh compilation takes a minute or two. Shares, not times: they hold on a noisy machine.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PATHS = {"page": "/results", "plan": "/results/plan"}
READY = "ready"


def _compile_afresh() -> None:
    """Point numba's cache (the kernels' own folder included) at an empty folder, before any
    kernel module is imported, so every kernel is compiled here and its code can be named."""
    import numba

    from smartpick.core.lists import kernel_cache

    numba.config.CACHE_DIR = tempfile.mkdtemp(prefix="smartpick-kernels-")  # type: ignore[attr-defined]
    kernel_cache.use_cache_named_after_sources = lambda: None  # type: ignore[assignment]


def _perf_map() -> int:
    """Write /tmp/perf-PID.map for every compiled function of SmartPick's kernels; their count."""
    from numba.core.registry import CPUDispatcher

    entries: dict[int, str] = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith("smartpick"):
            continue
        for value in list(vars(module).values()):
            if not isinstance(value, CPUDispatcher) or value.py_func.__module__ != name:
                continue  # a kernel imported by name elsewhere is named where it is defined
            for compiled in value.overloads.values():
                library = compiled.library
                engine = library._codegen._engine
                for function in library._final_module.functions:
                    if function.is_declaration:
                        continue
                    address = engine.get_function_address(function.name)
                    if address:
                        entries.setdefault(address, _kernel_name(function.name))
    starts = sorted(entries)
    with open(f"/tmp/perf-{os.getpid()}.map", "w") as out:
        for at, start in enumerate(starts):
            end = starts[at + 1] if at + 1 < len(starts) else start + 0x10000
            out.write(f"{start:x} {min(end - start, 0x100000):x} {entries[start]}\n")
    return len(starts)


def _kernel_name(symbol: str) -> str:
    """`module.function` from numba's mangled name (`_ZN9smartpick4core5lists11swap_kernel9best
    _swapB3v74...` -> `swap_kernel.best_swap`); its entry point for Python is marked as such, and
    other symbols (numba's runtime, numpy's implementations) keep their names."""
    wrapper = symbol.startswith(("_ZN7cpython", "cfunc."))
    rest = symbol.removeprefix("cfunc.").removeprefix("_ZN7cpython").removeprefix("_ZN")
    parts = []
    while (length := re.match(r"\d+", rest)) is not None:
        size = int(length.group())
        parts.append(rest[length.end() : length.end() + size])
        rest = rest[length.end() + size :]
    parts = [part for part in parts if part != "_3clocals_3e"]  # a closure's "<locals>"
    name = ".".join(parts[-2:]) if len(parts) >= 2 else symbol
    return f"{name} (entry from Python)" if wrapper else name


def child(path: str) -> None:
    """Warm up, write the perf map, say ready, then answer the addresses until killed."""
    _compile_afresh()
    os.environ["SMARTPICK_HOME"] = tempfile.mkdtemp(prefix="smartpick-kernel-profile-")
    sys.path.insert(0, str(HERE))
    from load import HTMX, PLAN_PATH, QUERIES
    from page import _request

    from smartpick.cli.serve_cmd import _warm
    from smartpick.web.app import WebSettings, create_app
    from smartpick.web.routes import results

    gc.disable()  # as a server's worker, which collects on its own schedule
    app = create_app(WebSettings())
    _warm(app)
    answer = results.plan_panel if path == PLAN_PATH else results.results_page
    headers = tuple((k.lower().encode(), v.encode()) for k, v in HTMX.items())

    def once() -> None:
        for query in QUERIES:
            answer(_request(app, query, path, headers if path == PLAN_PATH else ()))
        gc.collect(0)

    for _ in range(2):
        once()
    print(READY, _perf_map(), flush=True)
    while True:
        once()


def measure(path: str, seconds: float) -> dict[str, Any]:
    """Sample the child for `seconds`: its samples by compiled function, and the total."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", path], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().split()
        if not line or line[0] != READY:
            raise SystemExit("the profiled process did not start")
        data = Path(tempfile.mkdtemp(prefix="smartpick-perf-")) / "perf.data"
        subprocess.run(
            ["perf", "record", "-q", "-e", "cpu-clock", "-F", "1000", "-o", str(data)]
            + ["-p", str(proc.pid), "--", "sleep", str(seconds)],
            check=True,
            capture_output=True,
        )
    finally:
        proc.kill()
        proc.wait()
    report = subprocess.run(
        ["perf", "report", "-i", str(data), "--stdio", "--sort", "dso,sym", "-F", "sample,dso,sym"]
        + ["-g", "none", "--no-children"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    Path(f"/tmp/perf-{proc.pid}.map").unlink(missing_ok=True)  # read by the report alone
    shutil.rmtree(data.parent, ignore_errors=True)
    by_kernel: Counter[str] = Counter()
    total = 0
    for row in report.splitlines():
        fields = row.split()
        if not fields or row.startswith("#") or not fields[0].isdigit():
            continue
        samples = int(fields[0])
        total += samples
        if "[JIT]" in row:
            symbol = row.split("[.]", 1)[-1].strip()
            by_kernel[symbol if not symbol.startswith("0x") else "(not named)"] += samples
    return {"functions": int(line[1]), "total": total, "by_kernel": by_kernel}


def main() -> int:
    """Parse the options, profile and print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", choices=sorted(PATHS), default="plan")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    if not 1 <= args.seconds <= 600:
        parser.error("--seconds: between 1 and 600")
    started = time.monotonic()
    found = measure(PATHS[args.path], args.seconds)
    total, by_kernel = found["total"], found["by_kernel"]
    if not total:
        raise SystemExit("perf recorded no samples")
    print(
        f"{args.path}: {total} samples in {args.seconds:g} s, {found['functions']} compiled "
        f"functions named ({time.monotonic() - started:.0f} s in all)"
    )
    print(f"compiled code in all: {100 * sum(by_kernel.values()) / total:5.1f}% of the samples")
    for kernel, samples in by_kernel.most_common():
        print(f"  {kernel:<48} {100 * samples / total:5.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
