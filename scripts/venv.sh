# Sourced by scripts/run and scripts/test: `make_venv` creates .venv on the interpreter chosen here.
#
# Debian's own python3 (3.11 on Debian 12) comes first when it is 3.11 or newer and can make a
# virtual environment: its executable has the interpreter linked in, where pyenv's Python (the
# python3 on this machine's PATH) calls it in a shared library, through the dynamic linker. With
# the same code and packages the server spent about a tenth less CPU a request under the load
# test and `smartpick serve` answered its first page about a fifth sooner (docs/speed.md,
# "Session 20"). Else python3 on the PATH; SMARTPICK_PYTHON=/path/to/python picks another.

smartpick_python() {
  if [ -n "${SMARTPICK_PYTHON:-}" ]; then
    echo "$SMARTPICK_PYTHON"
    return
  fi
  local candidate
  for candidate in /usr/bin/python3 python3; do
    if "$candidate" -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' \
      2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  echo python3 # venv then says what is missing
}

make_venv() {
  local python base
  python="$(smartpick_python)"
  base="$("$python" -c 'import os, sys; print(os.path.realpath(sys.executable))')"
  # A .venv made on another interpreter is made again, not patched: nothing of the old one stays.
  if [ -f .venv/pyvenv.cfg ] && ! grep -qxF "executable = $base" .venv/pyvenv.cfg; then
    echo "Making .venv again on $base (it was made on another Python)" >&2
    "$python" -m venv --clear .venv
  else
    "$python" -m venv .venv
  fi
}
