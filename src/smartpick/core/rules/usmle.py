"""USMLE rules: the passing score in force on a test date, what "passed" means, failed attempts.

Passing standards and the dates they took effect (facts.md, USMLE section; the Step 2 CK and
Step 3 dates are restated by prep companies that agree with each other):
- Step 1: 194, then 196 for exams on or after 2022-01-26 (numeric scores end with pass/fail).
- Step 2 CK: 196, 203 from 2013-07-01, 209 from 2014-07-01, 214 from 2022-07-01, 218 from
  2025-07-01.
- Step 3: 198 from 2020-01-01, 200 from 2024-01-01 (earlier standards are not on record: an
  older test date is judged by the 2020 standard, and the message says so).

A test date may be a year and month ("2023-05"): the standard in force on the first of that month
is used. Without a date, the standard in force today is assumed, and messages say so.

Failed attempts are counted here only: an exam with a passing score failed `attempts - 1` times;
one whose last score is below the passing mark failed every attempt; Step 1 "failed, then passed"
failed at least once.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from dataclasses import dataclass
from typing import Literal

Exam = Literal["step1", "step2ck", "step3"]
EXAM_LABEL: dict[Exam, str] = {"step1": "Step 1", "step2ck": "Step 2 CK", "step3": "Step 3"}

# (effective from, passing score), oldest first; None: before the next standard.
PASS_MARKS: dict[Exam, tuple[tuple[_dt.date | None, int], ...]] = {
    "step1": ((None, 194), (_dt.date(2022, 1, 26), 196)),
    "step2ck": (
        (None, 196),
        (_dt.date(2013, 7, 1), 203),
        (_dt.date(2014, 7, 1), 209),
        (_dt.date(2022, 7, 1), 214),
        (_dt.date(2025, 7, 1), 218),
    ),
    "step3": ((_dt.date(2020, 1, 1), 198), (_dt.date(2024, 1, 1), 200)),
}
# Numeric Step 1 scores were reported for exams up to this day: an undated one is judged by then.
LAST_NUMERIC_STEP1 = _dt.date(2022, 1, 25)
TEST_DATE_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$"
_TEST_DATE = re.compile(TEST_DATE_PATTERN)


@dataclass(frozen=True)
class PassMark:
    """The passing score that applies to one exam, and why."""

    exam: Exam
    score: int
    effective_from: _dt.date | None  # None: the standard before `until`
    until: _dt.date | None  # when the next standard took over (None: still in force)
    dated: bool  # False: no test date was given, a standard is assumed
    before_records: bool = False  # the test predates the oldest standard on record

    @property
    def text(self) -> str:
        """E.g. "200 or more (the Step 3 standard since January 2024; no test date given ...)"."""
        label = EXAM_LABEL[self.exam]
        if self.effective_from is None and self.until is not None:
            which = f"the {label} standard before {self.until:%B %Y}"
        else:
            since = f"{self.effective_from:%B %Y}" if self.effective_from else "its start"
            which = f"the {label} standard since {since}"
        if self.before_records:
            which = f"the oldest {label} standard on record, from {self.effective_from:%B %Y}"
        if not self.dated:
            assumed = (
                "no test date given: a numeric Step 1 score predates February 2022"
                if self.exam == "step1"
                else "no test date given, so today's standard is assumed"
            )
            which += f"; {assumed}"
        return f"{self.score} or more ({which})"


def parse_test_date(text: str) -> _dt.date:
    """A test date "YYYY-MM" or "YYYY-MM-DD" as a date (the first of the month when no day).

    Raises ValueError with the accepted shapes.
    """
    value = text.strip()
    if not _TEST_DATE.match(value):
        raise ValueError(f"'{text}' is not a test date; write it as YYYY-MM (e.g. 2024-05)")
    year, month, *day = (int(part) for part in value.split("-"))
    try:
        return _dt.date(year, month, day[0] if day else 1)
    except ValueError:
        raise ValueError(f"'{text}' is not a calendar date") from None


def pass_mark(exam: Exam, taken: str | None = None, today: _dt.date | None = None) -> PassMark:
    """The passing score for an exam taken on `taken`; without a date, the standard in force
    today (for Step 1, the last numeric-score standard), marked as assumed."""
    if taken:
        when = parse_test_date(taken)
    elif exam == "step1":
        when = LAST_NUMERIC_STEP1
    else:
        when = today or _dt.date.today()
    return _mark_on(exam, when, bool(taken))


@functools.lru_cache(maxsize=256)  # a request asks a few dozen times, for a few dates
def _mark_on(exam: Exam, when: _dt.date, dated: bool) -> PassMark:
    """`pass_mark` of an exam taken on `when` (`dated`: a test date was given)."""
    marks = PASS_MARKS[exam]
    index = max((i for i, m in enumerate(marks) if m[0] is None or m[0] <= when), default=-1)
    start, score = marks[max(index, 0)]
    until = marks[index + 1][0] if 0 <= index < len(marks) - 1 else None
    return PassMark(exam, score, start, until, dated=dated, before_records=index < 0)


def passed(exam: Exam, score: int | None, taken: str | None = None) -> bool:
    """True when a numeric score meets the passing mark of its test date."""
    return score is not None and score >= pass_mark(exam, taken).score


def failed_attempts(
    exam: Exam, result: int | str | None, attempts: int, taken: str | None = None
) -> int:
    """Failed attempts at one exam: `result` is a score, "pass", "fail_then_pass" or None."""
    if result is None:
        return 0
    if result == "fail_then_pass":
        return max(attempts - 1, 1)
    if isinstance(result, int) and not passed(exam, result, taken):
        return attempts
    return attempts - 1
