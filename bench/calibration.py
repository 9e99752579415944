"""Calibration of the chance model against NRMP Charting Outcomes 2026 (non-US IMGs), before (v1,
measured before v2 replaced it: data/model/v1_figures.json) and after (v2, the shipped model).

Usage: .venv/bin/python bench/calibration.py   (about 2 minutes)

Prints, per specialty, the predicted vs published match rate (among applicants who ranked), the
Step 2 CK and contiguous-ranks medians of matched / not matched, and the leave-one-specialty-out
prediction; then the mean absolute errors over specialties, in-sample and leave-one-out, for the
rate (pp), the Step 2 CK quartiles of both cohorts (points), the contiguous-ranks quartiles, and
the conditional curve P(match | Step 2 CK, ranked) against the curve implied by the published
matched / not-matched distributions at 225-260 (pp); the 2026 anchors of IM and FM; the reference
applicant (Step 2 CK 244, no visa, the reference file, IM): the population curve, lists drawn the
way the cohort applied, and optimized lists with and without typical signals (the list-quality
gain); the profile with every red flag; and the FM what-if on Step 2 CK.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from smartpick.core.chances.calibration_report import calibration_report, summary_errors
from smartpick.core.chances.cohort import cohort_lists_p_match
from smartpick.core.chances.matrix import p_match
from smartpick.core.chances.outcomes import outcomes_for
from smartpick.core.chances.population import p_match_by_score, stats
from smartpick.core.lists.fees import fee_schedule
from smartpick.core.lists.optimizer import optimize_list
from smartpick.core.lists.request import fee_group
from smartpick.core.lists.types import ListProblem
from smartpick.service.assess import assess, fitted_model
from smartpick.service.calibration import v1_figures
from smartpick.service.catalog import open_catalog
from smartpick.service.recommend import recommend
from smartpick.testing import every_red_flag, reference_applicant, reference_profile

V1 = v1_figures()
IM, FM = "Internal Medicine", "Family Medicine"


def _median(block: dict[str, Any] | None, cohort: str) -> str:
    if block is None or block.get(cohort) is None:
        return "    -"
    return f"{block[cohort]['median']:5.1f}"


def per_specialty(report: list[dict[str, Any]]) -> None:
    print(
        f"{'specialty':38} {'n':>5} {'rate':>6} {'pub':>6} | {'S2CK M':>6} {'pub':>5} {'U':>6}"
        f" {'pub':>5} | {'ranks M':>7} {'pub':>5} {'U':>5} {'pub':>5} | {'LOO rate':>8} {'M':>6} {'U':>6}"
    )
    for r in report:
        pred, pub, loo = r["predicted"], r["published"], r["leave_one_out"]
        print(
            f"{r['specialty'][:38]:38} {r['applicants']:5d} {pred['match_rate']:6.1%}"
            f" {pub['match_rate']:6.1%} | {_median(pred['step2ck'], 'matched'):>6}"
            f" {_median(pub['step2ck'], 'matched'):>5} {_median(pred['step2ck'], 'not_matched'):>6}"
            f" {_median(pub['step2ck'], 'not_matched'):>5} |"
            f" {_median(pred['contiguous_ranks'], 'matched'):>7}"
            f" {_median(pub['contiguous_ranks'], 'matched'):>5}"
            f" {_median(pred['contiguous_ranks'], 'not_matched'):>5}"
            f" {_median(pub['contiguous_ranks'], 'not_matched'):>5} |"
            f" {format(loo['match_rate'], '8.1%') if loo else '       -'}"
            f" {_median(loo['step2ck'] if loo else None, 'matched'):>6}"
            f" {_median(loo['step2ck'] if loo else None, 'not_matched'):>6}"
        )


def errors(report: list[dict[str, Any]]) -> None:
    e = summary_errors(report)
    print(
        "\nMean absolute errors (rate pp; Step 2 CK quartiles, both cohorts, points; ranks "
        "quartiles; P(match | Step 2 CK, ranked) vs the published distributions' implied curve at "
        "225-260, pp)"
    )
    v1 = V1["calibration"]
    for label, fig in (
        ("v1 in-sample (before)", v1["errors_in_sample"]),
        ("v2 in-sample", None),
        ("v1 leave-one-out (before)", v1["errors_leave_one_out"]),
        ("v2 leave-one-out", "loo"),
    ):
        if isinstance(fig, dict):
            rate, q, rk, curve, n = (
                fig["rate"],
                fig["s2ck_q"],
                fig["ranks_q"],
                fig["curve"],
                fig["specialties"],
            )
        else:
            pre = "loo_" if fig == "loo" else ""
            rate, q, rk, curve = (
                e[f"{pre}match_rate_mae_pp"],
                e[f"{pre}step2ck_quartile_mae_points"],
                e[f"{pre}ranks_quartile_mae"],
                e[f"{pre}conditional_curve_mae_pp"],
            )
            n = sum(1 for r in report if (r["leave_one_out"] if fig == "loo" else r["predicted"]))
        print(
            f"  {label:26} rate {rate:5.2f} | S2CK quartiles {q:5.2f} | ranks quartiles {rk:5.2f}"
            f" | conditional curve {curve:5.2f} | specialties {n}"
        )


def anchors() -> None:
    model = fitted_model()
    for s in (IM, FM):
        a = model.state_.anchors[s]
        p = model.state_.params[s][0]
        st = stats(model.market(s), p)
        print(
            f"{s}: 2026 anchor {a.apps_per_applicant[0]:.1f} applications per non-US IMG applicant "
            f"(80% {a.apps_per_applicant[1]:.0f}-{a.apps_per_applicant[2]:.0f}; "
            f"{a.applications:,.0f} applications / {a.applicants:,.0f} applicants), pooled 2026 "
            f"rate {a.pooled_rate:.2%}, {a.interviews_per_applicant[0]:.2f} interviews per applicant;"
            f" fitted N {p.n_apps:.1f}; mu {p.mu:.1f} sd {p.sd:.1f} beta {p.beta:.3f} sigma "
            f"{p.sigma:.2f} c {p.c:.3f} rho {p.rho:+.2f}; P(ranked) {st.p_ranked:.1%}; interviews "
            f"per applicant {st.mean_interviews:.2f}; Step 2 CK mean/SD matched "
            f"{st.score_mean[0]:.1f}/{st.score_sd[0]:.1f}, not matched {st.score_mean[1]:.1f}/"
            f"{st.score_sd[1]:.1f}"
        )


def _no_signals(profile: Any, catalog: Any, count: int) -> float:
    a = assess(profile, catalog=catalog)
    problem = ListProblem(
        chances=a.chances,
        fee_groups=tuple(fee_group(p) for p in a.programs),
        fee_schedule=fee_schedule(profile.match_year),
        max_programs=count,
    )
    solution = optimize_list(problem)
    return float(p_match(a.chances, list(solution.order))[0])


def reference_and_floor(catalog: Any) -> None:
    model = fitted_model()
    profile = reference_applicant()
    p0 = model.state_.params[IM][0]
    market = model.market(IM)
    s = np.array([244.0])
    ranked = p_match_by_score(market, p0, s, ranked=True)[0]
    published = outcomes_for(IM).match_rate  # type: ignore[union-attr]
    print(
        f"\nReference applicant (Step 2 CK 244, no visa, reference file, IM): population curve "
        f"P(match | ranked) {ranked:.1%} at the fitted N={p0.n_apps:.0f}, unconditional "
        f"{p_match_by_score(market, p0, s)[0]:.1%} (published IM rate among rankers {published:.1%})"
    )
    drawn, curve = cohort_lists_p_match(model, profile, catalog.programs(specialty=IM), 80, 200)
    with_signals = recommend(profile, count=80, catalog=catalog).p_match.point
    without = _no_signals(profile, catalog, 80)
    print(
        f"  80 applications: drawn as the cohort applied {drawn:.1%} (population curve at N=80 "
        f"{curve:.1%}); optimized without signals {without:.1%}; optimized with 3 gold + 12 silver"
        f" {with_signals:.1%} (v1: {V1['profiles']['reference_applicant_optimized_80_with_signals']:.1%})"
    )
    print(
        f"  list-quality gain over the cohort's way of applying: {100 * (with_signals - drawn):+.1f}"
        f" pp ({100 * (without - drawn):+.1f} from choosing programs, "
        f"{100 * (with_signals - without):+.1f} from placing signals); above the published rate: "
        f"{100 * (with_signals - published):+.1f} pp"
    )
    flags = recommend(every_red_flag(), count=80, catalog=catalog)
    v1 = V1["profiles"]["every_red_flag_80"]
    print(
        f"Every red flag (Step 2 CK 214, Step 1 and Step 2 CK each failed once, graduated 12 years"
        f" before, no USCE, no US letter, J-1), 80 optimized applications: {flags.p_match.point:.2%}"
        f" ({flags.expected_interviews.point:.2f} interviews); v1 {v1['p_match']:.2%} "
        f"({v1['interviews']:.2f})"
    )


def fm_whatif(catalog: Any) -> None:
    base = reference_profile("us-img-fm")
    late = reference_profile("low-score-late").model_copy(update={"specialties": (FM,)})
    for label, who in (("us-img-fm", base), ("low-score-late, FM only", late)):
        values = []
        for score in (215, 232, 250):
            rec = recommend(who.model_copy(update={"step2ck": score}), count=80, catalog=catalog)
            values.append(f"{rec.p_match.point:.1%} ({rec.p_match.low:.1%}-{rec.p_match.high:.1%})")
        print(
            f"FM what-if, {label}, 80 applications, Step 2 CK 215 / 232 / 250: {' / '.join(values)}"
        )


def main() -> None:
    report = calibration_report(fitted_model())
    per_specialty(report)
    errors(report)
    print()
    anchors()
    with tempfile.TemporaryDirectory() as home:
        catalog = open_catalog(Path(home) / "user.sqlite")
        reference_and_floor(catalog)
        fm_whatif(catalog)


if __name__ == "__main__":
    main()
