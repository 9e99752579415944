"""The program side's pool-equation baselines kept on disk between launches of a server.

`Draws.alpha` (the population alpha solve: each program's no-signal baseline under every draw) is
the costliest part of a server's preload and depends on no applicant: only on the bundled catalog,
the fitted model and the code. It is stored as one `.npz` file per specialty and applicant type
in the user's cache directory (`catalog.store.cache_dir`), under a name that is the SHA-256 of
those inputs (the bundled catalog, the fitted model file, `CODE_VERSION`, the source of
`core.chances`, numpy's and scipy's versions, the specialty, the applicant type and the program
ids). Read back with `np.load(allow_pickle=False)`; missing, stale or unreadable files are
computed again and written atomically. A specialty whose programs carry facts the user imported
is computed, never cached. Nothing about an applicant is stored.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import scipy

from smartpick import __version__
from smartpick.catalog.store import cache_dir
from smartpick.core.bundled import bundled_text
from smartpick.core.chances.draws import Draws, FloatArray
from smartpick.core.chances.persist import FITTED_FILE
from smartpick.service.catalog import Catalog

# Bump when what the stored arrays mean changes in a way the source digest would not show.
CODE_VERSION = "alpha-1"


@cache
def inputs_digest() -> str:
    """SHA-256 of everything the stored baselines depend on besides the catalog and programs:
    the fitted model file, the code computing them and the numeric libraries."""
    h = hashlib.sha256()
    for part in (CODE_VERSION, __version__, np.__version__, scipy.__version__):
        h.update(part.encode() + b"\0")
    h.update(hashlib.sha256(bundled_text(*FITTED_FILE).encode()).digest())
    package = resources.files("smartpick.core.chances")
    for name in sorted(f.name for f in package.iterdir() if f.name.endswith(".py")):
        h.update(name.encode() + b"\0" + package.joinpath(name).read_bytes())
    return h.hexdigest()


def cache_path(context: Draws, kind: str, catalog_digest: str) -> Path:
    """The file that holds `context.alpha(kind)` for these inputs."""
    h = hashlib.sha256()
    for part in (inputs_digest(), catalog_digest, context.base.specialty, kind):
        h.update(part.encode() + b"\0")
    h.update("\n".join(p.id for p in context.base.programs).encode())
    return cache_dir() / f"program-side-{h.hexdigest()[:40]}.npz"


def cached_alpha(context: Draws, kind: str, catalog: Catalog) -> FloatArray:
    """`context.alpha(kind)`, read from the cache when a valid file exists, else computed and
    stored (catalog programs changed by the user's imports: computed only)."""
    if catalog.has_imports(context.base.programs):
        return context.alpha(kind)
    path = cache_path(context, kind, catalog.index.digest)
    ids = np.array([p.id for p in context.base.programs], dtype=str)
    stored = _read(path, ids)
    if stored is not None:
        try:
            context.preset_alpha(kind, stored)
            return stored
        except ValueError:
            pass  # a file of another shape: computed again below
    values = context.alpha(kind)
    _write(path, ids, values)
    return values


def _read(path: Path, ids: np.ndarray) -> FloatArray | None:
    try:
        with np.load(path, allow_pickle=False) as stored:
            if not np.array_equal(stored["ids"], ids):
                return None
            values: FloatArray = stored["alpha"]
            return values
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None


def _write(path: Path, ids: np.ndarray, values: FloatArray) -> None:
    """Write atomically (a reader sees the old file or the whole new one); a cache directory
    that cannot be written only means the next start computes again."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.stem, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            np.savez(out, ids=ids, alpha=values)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        pass
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
