"""Build-time code of the bundled program catalog (run by `scripts/build_catalog.py`).

Nothing here ships with SmartPick: the runtime package only reads the built catalog.

- `pipeline`: runs the sources in order and resolves every program;
- `sources/`: one module per raw source, each adding its statements to the program drafts;
- `draft`: a program being assembled (`Draft`, `Claim`) and the set of drafts of one build;
- `resolve`: the merge rule (newest source shown, older differing values kept as conflicts);
- `ocr`: repairs of names and cities garbled by PDF text extraction;
- `parsing`: CSV cells → values; `report`: the build report and the output files.
"""
