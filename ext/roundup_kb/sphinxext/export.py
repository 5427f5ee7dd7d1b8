"""``entries.json`` at the root of the HTML output: the knowledge base as data."""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

from roundup_kb.export import ENTRIES_VERSION, entries_json, json_text
from roundup_kb.files import write_if_changed
from roundup_kb.sphinxext.domain import get_domain
from roundup_kb.sphinxext.outputs import Manifest, shown_key


def _entries_key(app: Sphinx) -> str | None:
    return shown_key(app, ENTRIES_VERSION, app.config.roundup_issues_dir)


def entries_json_fresh(app: Sphinx) -> bool:
    """Whether ``entries.json`` was made from what the pages list and summarise now."""
    path = Path(app.outdir) / "entries.json"
    return Manifest(app).fresh(path.name, _entries_key(app), path)


def write_entries_json(app: Sphinx, exception: Exception | None) -> None:
    """Write ``entries.json`` when the catalogue changed (see :mod:`.datafiles`)."""
    if exception is not None or app.builder.format != "html":
        return
    path = Path(app.outdir) / "entries.json"
    manifest = Manifest(app)
    key = _entries_key(app)
    if manifest.fresh(path.name, key, path):
        return
    catalogue = get_domain(app.env).catalogue()
    data = entries_json(catalogue, issues_dir=app.config.roundup_issues_dir)
    write_if_changed(path, json_text(data))
    manifest.record(path.name, key)
    manifest.save()
