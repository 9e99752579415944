"""schemathesis against every `/api/` route of the OpenAPI schema: no input gives a server error."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from smartpick.web import WebSettings, create_app

_store = Path(tempfile.mkdtemp(prefix="smartpick-st-")) / "user_catalog.sqlite"
app = create_app(WebSettings(user_store=_store))
schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(path_regex="^/api/")


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_never_fails_with_a_server_error(case) -> None:
    response = case.call()
    assert response.status_code < 500, (case.path, case.query, response.text[:300])
    # Rules across fields (letters in the specialty <= US letters, a score for "numeric Step 1")
    # cannot be written in OpenAPI, so a schema-valid request may rightly get a 422 naming them.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])
