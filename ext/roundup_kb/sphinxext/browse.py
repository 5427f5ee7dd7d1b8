"""The browse page: ``browse.html`` at the site root, a faceted filter over every entry.

The page is rendered from ``templates/roundup-browse.html`` (it extends the
theme's ``page.html``, so it has the site's header, search and light/dark modes)
and filled in the browser by ``static/roundup-browse.js`` from ``browse.json``,
which this module writes next to it (see :mod:`roundup_kb.browse`).  Other pages
link to it with ``{ref}`roundup-browse```.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

from roundup_kb.browse import BROWSE_VERSION, browse_json
from roundup_kb.files import write_if_changed
from roundup_kb.sphinxext.domain import get_domain
from roundup_kb.sphinxext.outputs import Manifest, shown_key
from roundup_kb.sphinxext.registries import registries

PAGENAME = "browse"
DATA_FILE = "browse.json"
#: the label other pages use to link to the browse page
LABEL = "roundup-browse"
TITLE = "Browse entries"
TEMPLATES = Path(__file__).parent / "templates"


def _add_templates(app: Sphinx, config: Config) -> None:
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path.append(str(TEMPLATES))


def _add_label(app: Sphinx) -> None:
    """Make ``{ref}`roundup-browse``` resolve to the page, as ``search`` and ``genindex`` do."""
    std = app.env.domaindata["std"]
    std["labels"][LABEL] = (PAGENAME, "", TITLE)
    std["anonlabels"][LABEL] = (PAGENAME, "")


def _context(version: str, count: int) -> dict[str, Any]:
    return {
        "title": TITLE,
        "roundup_browse_data": f"{DATA_FILE}?v={version}",
        "roundup_browse_count": count,
    }


def collect_page(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Write ``browse.json`` and hand the page to the builder (``html-collect-pages``)."""
    if app.builder.name != "html":
        return  # permalinks in browse.json are ``.html`` paths: the plain HTML builder only
    manifest = Manifest(app)
    key = shown_key(app, BROWSE_VERSION, app.config.roundup_issues_dir)
    made = manifest.get(DATA_FILE)  # "key version count"
    if made is not None and manifest.fresh(DATA_FILE, made, Path(app.outdir) / DATA_FILE):
        made_key, version, count = made.split()
        if made_key == key:
            yield PAGENAME, _context(version, int(count)), "roundup-browse.html"
            return
    topics, _names = registries(app.env)
    data = browse_json(
        get_domain(app.env).catalogue(), topics, issues_dir=app.config.roundup_issues_dir
    )
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
    write_if_changed(Path(app.outdir) / DATA_FILE, text)
    version = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
    if key is not None:
        manifest.record(DATA_FILE, f"{key} {version} {len(data['entries'])}")
        manifest.save()
    context = _context(version, len(data["entries"]))
    yield PAGENAME, context, "roundup-browse.html"


def _page_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if pagename == PAGENAME and templatename == "roundup-browse.html":
        app.add_css_file("roundup-browse.css")
        app.add_js_file("roundup-browse.js", defer="defer")


def setup(app: Sphinx) -> None:
    app.connect("config-inited", _add_templates)
    app.connect("builder-inited", _add_label)
    app.connect("html-collect-pages", collect_page)
    app.connect("html-page-context", _page_assets)
