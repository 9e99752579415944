"""schemathesis against every `/api/` route of the OpenAPI schema: no input gives a server error.

The catalog and form routes are cheap and get more examples; results, plan and what-if re-run the
model and the optimizer (the plan once per priced step), so they get a few.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig

from smartpick.web import WebSettings, create_app
from smartpick.web.security import LOOPBACK_HOSTS

_folder = Path(tempfile.mkdtemp(prefix="smartpick-st-"))
atexit.register(shutil.rmtree, _folder, ignore_errors=True)
_store = _folder / "user_catalog.sqlite"
# schemathesis's in-process client sends `Host: testserver`; the app answers to listed hosts only.
app = create_app(WebSettings(user_store=_store, allowed_hosts=(*LOOPBACK_HOSTS, "testserver")))
# A query over 8 KB or a body over 64 KB is refused (414/413) before the app reads it: that is
# a rejection too (random data sometimes builds an address that long).
_REJECTED = {
    "negative_data_rejection": {
        "expected-statuses": [
            "400",
            "401",
            "403",
            "404",
            "405",
            "406",
            "409",
            "413",
            "414",
            "415",
            "422",
            "428",
            "429",
            "5XX",
        ]  # fmt: skip
    }
}
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", app, config=SchemathesisConfig.from_dict({"checks": _REJECTED})
).include(path_regex="^/api/")
EXPENSIVE = "^/api/(results|plan|whatif)$"
# For the expensive routes only the random-generation phase runs (the coverage phase would try
# every boundary of every parameter, each a full model run).
_fuzz_only = SchemathesisConfig.from_dict(
    {
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "checks": _REJECTED,
    }
)
expensive = schemathesis.openapi.from_asgi("/openapi.json", app, config=_fuzz_only)
_SUPPRESS = [HealthCheck.too_slow, HealthCheck.filter_too_much]


def _check(case) -> None:
    response = case.call()
    assert response.status_code < 500, (case.path, case.query, response.text[:300])
    # Rules across fields (letters in the specialty <= US letters, a score for "numeric Step 1")
    # cannot be written in OpenAPI, so a schema-valid request may rightly get a 422 naming them.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])


@schema.exclude(path_regex=EXPENSIVE).parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=_SUPPRESS)
def test_catalog_and_form_api_never_fail(case) -> None:
    _check(case)


@expensive.include(path_regex="^/api/(results|whatif)$").parametrize()
@settings(max_examples=4, deadline=None, suppress_health_check=_SUPPRESS)
def test_results_and_whatif_api_never_fail(case) -> None:
    _check(case)


@expensive.include(path_regex="^/api/plan$").parametrize()
@settings(max_examples=2, deadline=None, suppress_health_check=_SUPPRESS)
def test_plan_api_never_fails(case) -> None:
    _check(case)
