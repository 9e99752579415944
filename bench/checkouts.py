"""Run a benchmark's measures inside another checkout's own virtual environment.

A benchmark that compares checkouts runs itself with `--probe CHECKOUT ...` under
`CHECKOUT/.venv/bin/python` (so it imports that checkout's `smartpick`) and reads the JSON object
the probe prints on its last line.
"""

from __future__ import annotations

import json
import subprocess
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
