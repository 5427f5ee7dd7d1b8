"""The browse page: ``browse.html`` at the site root, a faceted filter over every entry.

The page is rendered from ``templates/roundup-browse.html`` (it extends the
theme's ``page.html``, so it has the site's header, search and light/dark modes)
and filled in the browser by ``static/roundup-browse.js`` from ``browse.json``,
which this module writes next to it (see :mod:`roundup_kb.browse`), with the
site's other data files (:mod:`~roundup_kb.sphinxext.datafiles`).  Other pages
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


def _key(app: Sphinx) -> str | None:
    """What ``browse.json`` is made from (what lists show of every issue), or None."""
    return shown_key(app, BROWSE_VERSION, app.config.roundup_issues_dir)


def _made_count(manifest: Manifest, key: str, path: Path) -> int | None:
    """The entries in ``browse.json`` when it was made from ``key`` and is there."""
    made = (manifest.get(DATA_FILE) or "").split()  # "key count"
    if len(made) == 2 and made[0] == key and path.exists():
        return int(made[1])
    return None


def _make(app: Sphinx) -> tuple[str, int]:
    """Write ``browse.json``; (its text, its number of entries)."""
    topics, _names = registries(app.env)
    data = browse_json(
        get_domain(app.env).catalogue(), topics, issues_dir=app.config.roundup_issues_dir
    )
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
    write_if_changed(Path(app.outdir) / DATA_FILE, text)
    return text, len(data["entries"])


def write_browse_json(app: Sphinx, exception: Exception | None) -> None:
    """Make ``browse.json`` unless what it shows is unchanged: one of the data files
    of :mod:`~roundup_kb.sphinxext.datafiles`, so made beside the page writers."""
    if exception is not None or app.builder.name != "html":
        return
    key = _key(app)
    if key is None:
        return  # made by collect_page
    manifest = Manifest(app)
    if _made_count(manifest, key, Path(app.outdir) / DATA_FILE) is None:
        _, count = _make(app)
        manifest.record(DATA_FILE, f"{key} {count}")
        manifest.save()


def collect_page(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Hand the page to the builder (``html-collect-pages``).

    The page names its data with a version for browsers' caches: the key
    ``browse.json`` is made from, so the page needs only the key and the number of
    entries, not the file (:func:`write_browse_json` makes it, maybe at the same
    time in another process).
    """
    if app.builder.name != "html":
        return  # permalinks in browse.json are ``.html`` paths: the plain HTML builder only
    key = _key(app)
    if key is None:  # no pre-scan to key it with: made here, versioned by its text
        text, count = _make(app)
        version = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
    else:
        version = key[:12]
        count = _made_count(Manifest(app), key, Path(app.outdir) / DATA_FILE)
        if count is None:  # being made, or to be made, from this build's catalogue
            count = len(get_domain(app.env).catalogue().entries)
    yield PAGENAME, _context(version, count), "roundup-browse.html"


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
