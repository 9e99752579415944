"""Dated visa facts say how far they are known: the H-1B payment past its announced end."""

from __future__ import annotations

import datetime as dt

from smartpick.core.rules.policy import h1b_payment


def test_the_h1b_payment_is_stated_with_its_end_once_that_has_passed() -> None:
    payment = h1b_payment()
    before = payment.in_force(payment.announced_until)
    after = payment.in_force(payment.announced_until + dt.timedelta(days=1))
    assert before.startswith("since 21 September 2025 a new H-1B petition carries")
    assert f"${payment.payment_usd:,}" in before and "announced until" not in before
    assert after.startswith(before)
    assert "announced until 21 September 2026; whether it was extended is not known" in after
