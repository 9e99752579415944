"""SmartPick: which US residency programs an international medical graduate should apply to.

SmartPick is independent of NRMP, AAMC, AMA, ACGME and ECFMG; it cites their published figures.
"""

__version__ = "0.1.0"
