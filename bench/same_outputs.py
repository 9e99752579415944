"""Every shown output of a request, written to a directory, to compare two versions of the code.

    .venv/bin/python bench/same_outputs.py --write /tmp/before     # on the old code
    .venv/bin/python bench/same_outputs.py --compare /tmp/before   # on the new code: same bytes?

What it writes: `recommend(...).to_dict()` (floats in full, `repr`) for the six reference profiles
x budgets {none, $1,200, $3,000} x one and two specialties; the results page (HTML), its JSON twin
(`/api/results`, its values) and the list's CSV through the real app for the six profiles x the same budgets;
the plan (`advise`) of guide-sample with the default volume and $3,000, and one what-if; the plan
panel and `/api/plan` of the six profiles (dates masked). A speed
change that must not move any number or any shown word compares its output with the one before.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUDGETS = (None, 1200.0, 3000.0)
# The second specialty of a profile that has one (the profile's own second, else this).
SECOND = {"Family Medicine": "Internal Medicine"}


def _outputs() -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of every output compared."""
    from fastapi.testclient import TestClient

    from smartpick.core.profile import load_profile
    from smartpick.service.advise import advise
    from smartpick.service.catalog import open_catalog
    from smartpick.service.recommend import recommend
    from smartpick.service.whatif import whatif
    from smartpick.web.app import WebSettings, create_app

    sys.path.insert(0, str(HERE))
    from load import PROFILES

    catalog = open_catalog(Path(tempfile.mkdtemp(prefix="same-outputs-")) / "user.sqlite")
    for path in sorted((ROOT / "examples" / "profiles").glob("*.toml")):
        profile = load_profile(path)
        first = profile.specialties[0]
        two = profile.specialties[:2]
        if len(two) < 2:
            two = [first, SECOND.get(first, "Family Medicine")]
        for specialties in ([first], two):
            for budget in BUDGETS:
                rec = recommend(
                    profile, budget_usd=budget, specialties=specialties, catalog=catalog
                )
                name = f"recommend/{path.stem}-{len(specialties)}-{budget}.json"
                yield name, json.dumps(rec.to_dict(), indent=1, default=repr).encode()
    guide = load_profile(ROOT / "examples" / "profiles" / "guide-sample.toml")
    today = dt.date(2026, 11, 24)
    for budget in (None, 3000.0):
        plan = advise(guide, budget_usd=budget, catalog=catalog, today=today)
        yield f"advise/guide-sample-{budget}.json", json.dumps(plan.to_dict(), indent=1).encode()
    price = whatif(guide, {"step3": 235, "usce_months": 4}, catalog=catalog)
    yield "whatif/guide-sample.json", json.dumps(price.to_dict(), indent=1).encode()

    with TestClient(create_app(WebSettings()), base_url="http://127.0.0.1") as client:
        for name, query in PROFILES.items():
            for budget in BUDGETS:
                q = query + ("" if budget is None else f"&budget_usd={budget:.0f}")
                for route, suffix in (
                    ("/results", "html"),
                    ("/api/results", "json"),
                    ("/export/list.csv", "csv"),
                ):
                    response = client.get(f"{route}?{q}")
                    response.raise_for_status()
                    body = response.content
                    if suffix == "json":  # the values, whatever the encoder's spelling of a float
                        body = json.dumps(json.loads(body), indent=1).encode()
                    yield f"web/{name}-{budget}{route.replace('/', '_')}.{suffix}", body
            # the plan panel (htmx fragment) and its JSON twin, at the default volume
            for route, headers in (("/results/plan", {"HX-Request": "true"}), ("/api/plan", {})):
                response = client.get(f"{route}?{query}", headers=headers)
                response.raise_for_status()
                yield f"web/{name}{route.replace('/', '_')}", _undated(response.content)


def _undated(body: bytes) -> bytes:
    """A plan's bytes without the day it was prepared on (and the months counted from it), so
    two runs on different days compare."""
    return re.sub(rb"\d{4}-\d{2}-\d{2}|\d+ months", b"<date>", body)


def main() -> None:
    """Write the outputs to a directory, or compare them with the ones written there."""
    parser = argparse.ArgumentParser(description="Compare every shown output with a saved run.")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", type=Path, help="directory to write the outputs to")
    mode.add_argument("--compare", type=Path, help="directory of an earlier --write")
    args = parser.parse_args()
    os.environ.setdefault("SMARTPICK_HOME", tempfile.mkdtemp(prefix="same-outputs-"))
    differ, count = [], 0
    for name, data in _outputs():
        count += 1
        if args.write is not None:
            target = args.write / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            continue
        saved = args.compare / name
        if not saved.exists() or saved.read_bytes() != data:
            differ.append(name)
            print(f"DIFFERS: {name}", flush=True)
    if args.write is not None:
        print(f"wrote {count} outputs to {args.write}")
        return
    print(f"{count - len(differ)} of {count} outputs identical")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
