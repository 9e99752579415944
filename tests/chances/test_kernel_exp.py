"""The kernels' `exp` is the C library's own entry point, with the bits of numba's binding."""

from __future__ import annotations

import ctypes
import ctypes.util
import math

import llvmlite.binding as llvm
import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from numba import _helperlib, njit

from smartpick.core.chances import draw_kernels
from smartpick.core.kernel_math import bind_exp_to_libm


@njit(cache=False)
def _exps(x):  # type: ignore[no-untyped-def]
    out = np.empty(x.size)
    for i in range(x.size):
        out[i] = math.exp(x[i])
    return out


def test_kernels_link_exp_to_the_c_library() -> None:
    assert draw_kernels.bind_exp_to_libm is bind_exp_to_libm and bind_exp_to_libm()
    name = ctypes.util.find_library("m")
    assert name is not None
    libm_exp = ctypes.cast(ctypes.CDLL(name).exp, ctypes.c_void_p).value
    assert llvm.address_of_symbol("exp") == libm_exp


EDGES = [0.0, -0.0, 1e-300, -1e-300, 1.0, -1.0, 709.78, 709.79, 710.0, -745.1, -746.0, -1e308]
# the `exp` numba's own binding calls (its helper library's wrapper), as a C function
_NUMBA_EXP = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double)(_helperlib.c_helpers["exp"])


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=50))
def test_kernel_exp_has_the_bits_of_numbas_own(values: list[float]) -> None:
    x = np.array(values + EDGES)
    expected = np.array([_NUMBA_EXP(v) for v in x])
    got = _exps(x)
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    kept = ~np.isnan(got)
    assert np.array_equal(got[kept].view(np.int64), expected[kept].view(np.int64))
