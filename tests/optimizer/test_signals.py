"""ERAS signal allowances from the bundled table."""

from __future__ import annotations

import pytest

from smartpick.core.lists.signals import signal_allowance, signal_noun
from smartpick.errors import InvalidInput


def test_internal_medicine_gold_and_silver_2025() -> None:
    allowance = signal_allowance("Internal Medicine", 2025)
    assert (allowance.gold, allowance.silver, allowance.total) == (3, 12, 15)
    assert allowance.source_url and "aamc.org" in allowance.source_url


def test_later_season_uses_latest_table_and_says_so() -> None:
    allowance = signal_allowance("Internal Medicine", 2026)
    assert (allowance.gold, allowance.silver, allowance.season) == (3, 12, 2025)
    assert "latest published; the 2026 numbers may differ" in allowance.note


def test_single_kind_is_reported_as_gold() -> None:
    allowance = signal_allowance("Family Medicine", 2026)
    assert (allowance.gold, allowance.silver) == (5, 0)
    assert signal_allowance("Psychiatry").gold == 10


def test_a_single_kind_is_called_a_signal_and_two_kinds_gold_and_silver() -> None:
    """The one place that names a signal level for the applicant, per specialty and season."""
    fm = signal_allowance("Family Medicine", 2026)
    assert fm.single_kind and (fm.name("gold"), fm.name("none")) == ("signal", "none")
    assert fm.used_words(4, 0) == "4 of 5 used"
    im = signal_allowance("Internal Medicine", 2026)
    assert not im.single_kind and (im.name("gold"), im.name("silver")) == ("gold", "silver")
    assert im.used_words(3, 12) == "3 of 3 gold and 12 of 12 silver used"
    assert signal_allowance("Internal Medicine", 2024).name("gold") == "signal"  # 7 of one kind
    assert signal_allowance("Obstetrics and Gynecology", 2025).used_words(0, 0) == "none"
    assert (signal_noun("signal"), signal_noun("gold")) == ("a signal", "a gold signal")


def test_older_season_and_other_names() -> None:
    assert signal_allowance("Internal Medicine", 2024).total == 7
    # catalog name "Orthopaedic Surgery" is "Orthopedic Surgery" in the ERAS table
    assert signal_allowance("Orthopaedic Surgery", 2025).total == 30


def test_specialties_without_signals() -> None:
    assert signal_allowance("Internal Medicine/Pediatrics").total == 0
    none_2025 = signal_allowance("Obstetrics and Gynecology", 2025)
    assert none_2025.total == 0 and "no signals" in none_2025.note
    assert signal_allowance("Internal Medicine", 2020).total == 0


def test_unknown_specialty_is_an_input_error() -> None:
    with pytest.raises(InvalidInput, match="Did you mean 'Internal Medicine'"):
        signal_allowance("Internal Medicin")
