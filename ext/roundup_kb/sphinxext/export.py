"""``entries.json`` at the root of the HTML output: the knowledge base as data."""

from __future__ import annotations

import json
from pathlib import Path

from sphinx.application import Sphinx

from roundup_kb.export import entries_json
from roundup_kb.sphinxext.domain import get_domain


def write_entries_json(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    catalogue = get_domain(app.env).catalogue()
    data = entries_json(catalogue, issues_dir=app.config.roundup_issues_dir)
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n"
    path = Path(app.outdir) / "entries.json"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)


def setup(app: Sphinx) -> None:
    app.connect("build-finished", write_entries_json)
