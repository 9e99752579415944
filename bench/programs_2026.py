"""2026 program truth: how well the program-level model predicts each IM / FM program's 2026
non-US IMG interview rate (AAMC Residency Explorer, 2026 cycle).

Usage: .venv/bin/python bench/programs_2026.py   (about 6 minutes on one core)

Prints, for Internal Medicine and Family Medicine separately, the Spearman correlation and the
share of binomial deviance explained (against a constant rate) for programs whose 2026 data are
hidden from the fit (10-fold cross-validation over programs) and in-sample, for today's program
offsets, a plain logistic regression on the older catalog fields (the baseline), the hierarchical
logistic and the chosen zero-inflated hierarchical logistic; and the anchored posterior (what a
program with 2026 data gets). Reads the raw 2026 files directly (research/re2026.py) until the
catalog carries them.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from research.evaluate_programs import main  # noqa: E402

if __name__ == "__main__":
    main()
