"""Build the bundled program catalog from the shared data folder.

Usage: python scripts/build_catalog.py [DATA_DIR]   (default: <repo>/../shared/data)

Writes src/smartpick/data/catalog/programs.jsonl and build_report.json. Deterministic: two
runs over the same input give byte-identical files. The build code is `scripts/catalog_build/`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from catalog_build.pipeline import build_catalog
from catalog_build.report import dump_records, dump_report

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "src" / "smartpick" / "data" / "catalog"


def main(argv: list[str]) -> int:
    """Build and write the catalog; print the headline counts."""
    data_dir = Path(argv[1]) if len(argv) > 1 else REPO.parent / "shared" / "data"
    if not (data_dir / "raw").is_dir():
        print(f"error: {data_dir}/raw not found (pass the shared data folder)", file=sys.stderr)
        return 2
    records, report = build_catalog(data_dir)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "programs.jsonl").write_text(dump_records(records), encoding="utf-8")
    (OUT / "build_report.json").write_text(dump_report(report), encoding="utf-8")
    print(f"{len(records)} programs, {report['specialties']} specialties → {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
