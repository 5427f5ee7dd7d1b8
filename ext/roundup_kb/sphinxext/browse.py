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

from roundup_kb.browse import browse_json
from roundup_kb.sphinxext.domain import get_domain
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


def _write_atomic(path: Path, text: str) -> None:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def collect_page(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Write ``browse.json`` and hand the page to the builder (``html-collect-pages``)."""
    if app.builder.name != "html":
        return  # permalinks in browse.json are ``.html`` paths: the plain HTML builder only
    topics, _names = registries(app.env)
    data = browse_json(
        get_domain(app.env).catalogue(), topics, issues_dir=app.config.roundup_issues_dir
    )
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
    _write_atomic(Path(app.outdir) / DATA_FILE, text)
    version = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
    context = {
        "title": TITLE,
        "roundup_browse_data": f"{DATA_FILE}?v={version}",
        "roundup_browse_count": len(data["entries"]),
    }
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
