"""The README's set-up scripts choose the interpreter of `.venv` as `scripts/venv.sh` says: the
one asked for, else Debian's python3 when it can make a 3.11+ environment; a `.venv` made on
another interpreter is made again from nothing, one made on the chosen one is kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_SH = ROOT / "scripts" / "venv.sh"


def _bash(script: str, cwd: Path, **env: str) -> str:
    """Run `script` in bash with scripts/venv.sh sourced; its standard output."""
    done = subprocess.run(
        ["bash", "-c", f"set -euo pipefail; source {VENV_SH}; {script}"],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def _qualifies(python: str) -> bool:
    check = "import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))"
    try:
        return subprocess.run([python, "-c", check], capture_output=True).returncode == 0
    except OSError:
        return False


def test_both_scripts_make_the_venv_through_venv_sh() -> None:
    for name in ("run", "test"):
        text = (ROOT / "scripts" / name).read_text(encoding="utf-8")
        assert "source scripts/venv.sh\nmake_venv\n" in text
        assert "python3 -m venv" not in text  # one rule, one place


def test_the_interpreter_asked_for_wins(tmp_path: Path) -> None:
    assert _bash("smartpick_python", tmp_path, SMARTPICK_PYTHON="/opt/py/bin/python3") == (
        "/opt/py/bin/python3"
    )


def test_debians_python_comes_first_when_it_qualifies(tmp_path: Path) -> None:
    chosen = _bash("smartpick_python", tmp_path, SMARTPICK_PYTHON="")
    expected = "/usr/bin/python3" if _qualifies("/usr/bin/python3") else "python3"
    assert chosen == expected


def test_a_venv_of_another_interpreter_is_made_again(tmp_path: Path) -> None:
    python = sys.executable  # this environment's interpreter; its base is what venv records
    base = os.path.realpath(sys._base_executable)
    venv = tmp_path / ".venv"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text("home = /elsewhere\nexecutable = /elsewhere/python3.11\n")
    (venv / "left-over").write_text("from the old interpreter")
    _bash("make_venv", tmp_path, SMARTPICK_PYTHON=python)
    assert f"executable = {base}" in (venv / "pyvenv.cfg").read_text().splitlines()
    assert not (venv / "left-over").exists()
    assert (venv / "bin" / "pip").exists()
    # made on the chosen interpreter already: kept as it is (what pip installed in it stays)
    (venv / "installed").write_text("a package")
    _bash("make_venv", tmp_path, SMARTPICK_PYTHON=python)
    assert (venv / "installed").exists()
