"""What a server's start computes that depends on no applicant, kept on disk between launches.

- The program side of IM and FM (`ChanceModel.context`): its fixed per-program arrays
  (`ProgramBase`) and the pool equation's baselines (`Draws.alpha`: each program's no-signal
  baseline under every draw, the costliest part of the preload) per specialty and applicant
  type, as `.npz` files read with `np.load(allow_pickle=False)`;
- the "where you stand" calibration rows per specialty (`cached_json`), as JSON.

They depend only on the bundled catalog, the fitted model and the code, so each file is named by
the SHA-256 of those inputs (the bundled catalog, the fitted model file, `CODE_VERSION`, the source
of `core.chances`, numpy's and scipy's versions, and what the file holds: specialty, applicant
type, program ids). The files live in the user's cache directory (`catalog.store.cache_dir`).
Missing, stale or unreadable files are computed again and written atomically. A specialty whose
programs carry facts the user imported is computed, never cached. Nothing about an applicant is
stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import IO, Any

import numpy as np
import scipy

from smartpick import __version__
from smartpick.catalog.store import cache_dir
from smartpick.core.bundled import bundled_text
from smartpick.core.chances.context import base_arrays
from smartpick.core.chances.draws import Draws
from smartpick.core.chances.estimator import ChanceModel
from smartpick.core.chances.persist import FITTED_FILE
from smartpick.core.programs import Program
from smartpick.service.catalog import Catalog

# Bump when what the stored arrays mean changes in a way the source digest would not show.
CODE_VERSION = "1"
BASE = "base."  # prefix of the ProgramBase arrays in a program-side file
PROGRAM_SIDE, START = "program-side", "start"  # the two families of files


@cache
def inputs_digest() -> str:
    """SHA-256 of everything the stored results depend on besides the catalog's programs: the
    fitted model file, the published tables and other reference data the model reads, the code
    computing them and the numeric libraries."""
    h = hashlib.sha256()
    for part in (CODE_VERSION, __version__, np.__version__, scipy.__version__):
        h.update(part.encode() + b"\0")
    h.update(hashlib.sha256(bundled_text(*FITTED_FILE).encode()).digest())
    for folder in ("data/model", "data/reference", "core/chances"):
        for path in sorted(_files(resources.files("smartpick").joinpath(folder), folder)):
            h.update(path[0].encode() + b"\0" + path[1].read_bytes())
    return h.hexdigest()


def _files(folder: Traversable, name: str) -> list[tuple[str, Traversable]]:
    """(relative name, file) of every file under `folder` (compiled bytecode left out)."""
    out = []
    for entry in folder.iterdir():
        if entry.is_dir():
            if entry.name != "__pycache__":
                out.extend(_files(entry, f"{name}/{entry.name}"))
        elif not entry.name.endswith(".pyc"):
            out.append((f"{name}/{entry.name}", entry))
    return out


def cache_path(specialty: str, kind: str, programs: Sequence[Program], catalog_digest: str) -> Path:
    """The file that holds the program side of `programs` for these inputs."""
    h = hashlib.sha256()
    for part in (inputs_digest(), catalog_digest, specialty, kind):
        h.update(part.encode() + b"\0")
    h.update("\n".join(p.id for p in programs).encode())
    return cache_dir() / f"{PROGRAM_SIDE}-{_generation(catalog_digest)}-{h.hexdigest()[:28]}.npz"


def _generation(catalog_digest: str = "") -> str:
    """What every current file's name starts with: files of other inputs (an older SmartPick,
    model or catalog) are never read again, so they are deleted when a current one is written."""
    return hashlib.sha256(f"{inputs_digest()}\0{catalog_digest}".encode()).hexdigest()[:12]


def _forget_older(path: Path) -> None:
    """Delete the files of the same family as `path` that belong to other inputs."""
    family = path.name.rsplit("-", 2)[0]
    current = path.name.rsplit("-", 1)[0] + "-"
    for other in path.parent.glob(f"{family}-*{path.suffix}"):
        if not other.name.startswith(current):
            with contextlib.suppress(OSError):  # another process's, or a read-only cache
                other.unlink(missing_ok=True)


def cached_context(
    model: ChanceModel, specialty: str, programs: Sequence[Program], kind: str, catalog: Catalog
) -> Draws:
    """`model.context(specialty, programs)` with `alpha(kind)` solved: its fixed part
    (`ProgramBase`) and the baselines read from the cache when a valid file exists, else
    computed and stored (programs changed by the user's imports: computed only)."""
    if catalog.has_imports(programs):
        context = model.context(specialty, programs)
        context.alpha(kind)
        return context
    path = cache_path(specialty, kind, programs, catalog.index.digest)
    ids = np.array([p.id for p in programs], dtype=str)
    stored = _read(path, ids)
    if stored is not None:
        base = {k.removeprefix(BASE): v for k, v in stored.items() if k.startswith(BASE)}
        try:
            context = model.context(specialty, programs, base)
            context.preset_alpha(kind, stored["alpha"])
            return context
        except (KeyError, TypeError, ValueError):
            pass  # a file of another shape: built (or only solved) again below
    context = model.context(specialty, programs)
    alpha = context.alpha(kind)
    arrays = {"ids": ids, "alpha": alpha}
    arrays.update((BASE + k, v) for k, v in base_arrays(context.base).items())
    _replace(path, lambda out: np.savez(out, **arrays))  # type: ignore[arg-type]
    _forget_older(path)
    return context


def cached_json(name: str, compute: Callable[[], Any]) -> Any:
    """`compute()`, JSON-shaped data that depends only on the fitted model and the code (not on
    the catalog), read from the cache when stored under `name` for these inputs."""
    h = hashlib.sha256(f"{inputs_digest()}\0{name}".encode()).hexdigest()
    path = cache_dir() / f"{START}-{_generation()}-{h[:28]}.json"
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        pass
    value = compute()
    _replace(path, lambda out: out.write(json.dumps(value).encode()))
    _forget_older(path)
    return value


def _read(path: Path, ids: np.ndarray) -> dict[str, np.ndarray] | None:
    """Every array of the file (read now: a damaged file fails here), if it is for `ids`."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return None
    if "alpha" not in arrays or "ids" not in arrays or not np.array_equal(arrays["ids"], ids):
        return None
    return arrays


def _replace(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write atomically (a reader sees the old file or the whole new one); a cache directory
    that cannot be written only means the next start computes again."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.stem, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            write(out)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        pass
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
