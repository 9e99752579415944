"""Where the compiled kernels (`swap_kernel`, `polish_kernel`, `key_tree`, `chain_kernel`,
`curve_kernel`) keep numba's cache.

numba's cache checks only the file that defines a function, not those of the functions it calls:
the kernels' cache lives in a directory named after a digest of every kernel module (where it
cannot be written, numba falls back to its own places); those made from other sources are
deleted. Each kernel module calls `use_cache_named_after_sources` before its first `njit`.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
from pathlib import Path

import numba

KERNEL_MODULES = (
    "swap_kernel.py",
    "polish_kernel.py",
    "key_tree.py",
    "chain_kernel.py",
    "curve_kernel.py",
)


@functools.cache
def use_cache_named_after_sources() -> None:
    """Point numba's cache at the directory named after the kernels' sources (once a process)."""
    here = Path(__file__).resolve().parent
    sources = b"".join((here / name).read_bytes() for name in KERNEL_MODULES)
    digest = hashlib.sha256(sources).hexdigest()[:16]
    cache = here / "__pycache__" / f"kernels-{digest}"
    for older in cache.parent.glob("kernels-*"):  # made from other sources: never read again
        if older != cache:
            shutil.rmtree(older, ignore_errors=True)
    numba.config.CACHE_DIR = str(cache)  # type: ignore[attr-defined]
