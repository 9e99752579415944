"""Run a benchmark's measures inside another checkout's own virtual environment.

A benchmark that compares checkouts runs itself with `--probe CHECKOUT ...` under
`CHECKOUT/.venv/bin/python` (so it imports that checkout's `smartpick`) and reads the JSON object
the probe prints on its last line.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any


def run_probe(checkout: Path, script: Path, *args: str) -> dict[str, Any]:
    """`script --probe CHECKOUT *args` in the checkout's interpreter: the JSON it printed last."""
    done = subprocess.run(
        [str(checkout / ".venv" / "bin" / "python"), str(script.resolve()), "--probe"]
        + [str(checkout), *args],
        capture_output=True,
        text=True,
        cwd=checkout,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the probe failed on {checkout}:\n{done.stderr[-3000:]}")
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def interpreters(checkouts: dict[str, Path]) -> list[str]:
    """Lines to print: the Python each checkout's `.venv` was made on (its `pyvenv.cfg`), and a
    warning when they differ. An interpreter's build moves the figures (Debian's python3 against
    pyenv's: the server a tenth less CPU a request, the start a fifth sooner; docs/speed.md,
    session 20), so a comparison of code wants both on the same one."""
    seen: dict[str, str] = {}
    for name, checkout in checkouts.items():
        try:
            text = (checkout / ".venv" / "pyvenv.cfg").read_text(encoding="utf-8")
        except OSError:
            seen[name] = "no .venv/pyvenv.cfg"
            continue
        cfg = dict(line.split(" = ", 1) for line in text.splitlines() if " = " in line)
        seen[name] = f"Python {cfg.get('version', '?')} ({cfg.get('executable', cfg.get('home'))})"
    lines = [f"{name:<7}on {python}" for name, python in seen.items()]
    if len(set(seen.values())) > 1:
        lines.append(
            "warning: the checkouts run on different interpreters, and their ratios count that "
            "difference too (make both .venv on one: scripts/venv.sh)"
        )
    return lines


def checkout_arguments(
    count: tuple[str, int, int, str], probe: Callable[[Path, int], dict[str, Any]]
) -> argparse.Namespace | None:
    """The command line of a benchmark that compares this checkout with `--before CHECKOUT`.

    `count` is its one option, (name, default, largest, help), a number from 1 to largest. In a
    probe (`--probe CHECKOUT`, run by `run_probe`) it prints `probe(CHECKOUT, count)` as JSON and
    returns None; otherwise the parsed arguments."""
    name, default, largest, text = count
    parser = argparse.ArgumentParser(
        description="Measure this checkout, and another one with --before, side by side."
    )
    parser.add_argument("--before", type=Path, help="another checkout (with its own .venv)")
    parser.add_argument(f"--{name}", type=int, default=default, help=text)
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    value = getattr(args, name)
    if not 1 <= value <= largest:
        parser.error(f"--{name} must be 1-{largest}")
    if args.probe is not None:
        print(json.dumps(probe(args.probe, value)))
        return None
    return args


def measure_checkouts(
    script: Path,
    count: tuple[str, int, int, str],
    probe: Callable[[Path, int], dict[str, Any]],
) -> dict[str, dict[str, Any]] | None:
    """`checkout_arguments`, then the measures of this checkout ("after") and of `--before`
    ("before"), each taken in its own checkout's interpreter (None in a probe)."""
    args = checkout_arguments(count, probe)
    if args is None:
        return None
    name, value = count[0], getattr(args, count[0])
    here = script.resolve().parent.parent
    checkouts = {"after": here} | ({"before": args.before.resolve()} if args.before else {})
    return {
        label: run_probe(path, script, f"--{name}", str(value)) for label, path in checkouts.items()
    }
