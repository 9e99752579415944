"""One module per raw source; each `add(drafts)` adds that source's statements to the drafts."""
