"""The compiled kernels' `exp`: the C library's own, without numba's detour.

numba binds the math functions its kernels call to wrappers in its helper library
(`numba_exp`), which was built against an old C library and so reaches glibc's `exp` through its
compatibility entry point (`exp@GLIBC_2.2.5`, which also tests the result for the old error
handling). Both end in the same computation (`__ieee754_exp`), so the bits are the same; the two
extra calls cost about a third of each `exp` (counted by valgrind: 2.2% of a plan panel's
instructions, 1.3% of a results page's, `bench/instructions.py`). `bind_exp_to_libm` points the
kernels' `exp` at the C library's current entry point instead.
"""

from __future__ import annotations

import ctypes
import functools

import llvmlite.binding as llvm
from numba.core.registry import cpu_target


@functools.cache
def bind_exp_to_libm() -> bool:
    """Bind `exp` in kernels linked from now on (compiled or read from numba's cache) to the C
    library's `exp`, as this process (Python itself links the math library) resolves the name;
    once a process. False (numba's own binding kept) where the process has no such symbol."""
    try:
        address = ctypes.cast(ctypes.CDLL(None).exp, ctypes.c_void_p).value
    except (OSError, AttributeError, TypeError):  # TypeError: no CDLL(None) on Windows
        return False
    if not address:
        return False
    cpu_target.target_context  # noqa: B018 - numba binds its math symbols when it makes this
    llvm.add_symbol("exp", address)  # after numba's binding, which it replaces
    return True
