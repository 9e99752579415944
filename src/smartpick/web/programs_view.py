"""Program data as pages show it: every field with its label, value, source, year and conflicts.

Built from the catalog's JSON contract (`program_to_dict`), so the program page and its JSON twin
show the same facts; unknown stays "unknown", never a guess.
"""

from __future__ import annotations

from typing import Any

from smartpick.service.fact_words import CUTOFF_FIELDS, CUTOFF_UNKNOWN, FIELD_LABELS, field_label

# Source names as a web user reads them.
SOURCE_WORDS = {"user import": "a file you imported with the command line"}


def labelled_facts(program: dict[str, Any]) -> list[dict[str, Any]]:
    """The `fields` of a `program_to_dict` result as a labelled list in page order.

    Fields the catalog adds later still show, with their own name as the label.
    """
    facts = program["fields"]
    order = [n for n in FIELD_LABELS if n in facts] + [n for n in facts if n not in FIELD_LABELS]
    out = []
    for name in order:
        label, unit = field_label(name), FIELD_LABELS.get(name, ("", ""))[1]
        fact = dict(facts[name])
        fact["source"] = SOURCE_WORDS.get(fact["source"], fact["source"])
        fact["conflicts"] = [
            {**c, "source": SOURCE_WORDS.get(c["source"], c["source"])} for c in fact["conflicts"]
        ]
        unknown = CUTOFF_UNKNOWN if name in CUTOFF_FIELDS else "unknown"
        out.append({"field": name, "label": label, "unit": unit, "unknown": unknown, **fact})
    return out
