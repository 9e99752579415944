"""SmartPick: which US residency programs an international medical graduate should apply to.

SmartPick is independent of NRMP, AAMC, AMA, ACGME and ECFMG; it cites their published figures.

The library API (see the README): `load_profile`, `ApplicantProfile`, `assess` (chances per
program), `recommend` (the optimized list), `advise` (the priced plan), `whatif` (the price of any
changes) and `open_catalog`. The names load on first use, so `import smartpick` stays quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "ApplicantProfile": "smartpick.core.profile",
    "load_profile": "smartpick.core.profile",
    "profile_from_dict": "smartpick.core.profile",
    "assess": "smartpick.service.assess",
    "Assessment": "smartpick.core.chances.results",
    "recommend": "smartpick.service.recommend",
    "Recommendation": "smartpick.core.lists.result",
    "advise": "smartpick.service.advise",
    "Plan": "smartpick.core.plan.types",
    "whatif": "smartpick.service.whatif",
    "WhatIf": "smartpick.service.whatif",
    "open_catalog": "smartpick.service.catalog",
    "SmartPickError": "smartpick.errors",
}
__all__ = [
    "Assessment",
    "ApplicantProfile",
    "Plan",
    "Recommendation",
    "SmartPickError",
    "WhatIf",
    "__version__",
    "advise",
    "assess",
    "load_profile",
    "open_catalog",
    "profile_from_dict",
    "recommend",
    "whatif",
]

if TYPE_CHECKING:
    from smartpick.core.chances.results import Assessment
    from smartpick.core.lists.result import Recommendation
    from smartpick.core.plan.types import Plan
    from smartpick.core.profile import ApplicantProfile, load_profile, profile_from_dict
    from smartpick.errors import SmartPickError
    from smartpick.service.advise import advise
    from smartpick.service.assess import assess
    from smartpick.service.catalog import open_catalog
    from smartpick.service.recommend import recommend
    from smartpick.service.whatif import WhatIf, whatif


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'smartpick' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
