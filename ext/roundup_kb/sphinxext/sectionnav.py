"""The theme's section navigation for a flat section, written without BeautifulSoup.

pydata-sphinx-theme's left sidebar ("Section Navigation") comes from its
``generate_toctree_html``: Sphinx resolves the toctree of the page's top-level
section, renders it to HTML, and the theme parses that HTML with BeautifulSoup to
mark the current page and add its own classes, with CSS selectors
(``soup.select``).  soupsieve compiles the first two selectors of a process in
0.3 s, and each page costs about 15 ms more: on this site that is paid for the
topic pages, which are written again whenever an issue is added.

The topic section is flat: one toctree listing pages that have no toctrees of
their own.  For such a section the theme's output is a plain list, which
:func:`flat_section_nav` writes directly, in the theme's markup: the same bytes
(``tests/test_sectionnav.py`` builds a site both ways and compares every page).
Anything else -- nested toctrees, captions, numbering, a hidden toctree without
``includehidden``, links to URLs or to ``self``, titles with markup -- goes to the
theme's own function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx

#: how the theme's BeautifulSoup writes text and attribute values out again (its
#: "minimal" formatter): Sphinx's ``&#64;`` and ``&quot;`` come back as ``@`` and ``"``
_MINIMAL = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
#: app attribute: docname -> the page whose toctree lists it, made once per build
_PARENTS = "_roundup_toctree_parents"


def _parents(app: Sphinx) -> dict[str, str]:
    found = getattr(app, _PARENTS, None)
    if found is None or found[0] is not app.env.toctree_includes:
        parent: dict[str, str] = {}
        for page, children in app.env.toctree_includes.items():
            parent |= dict.fromkeys(children, page)
        found = (app.env.toctree_includes, parent)
        setattr(app, _PARENTS, found)
    return found[1]


def section_of(app: Sphinx, pagename: str) -> str | None:
    """The page's top-level section: the theme's ancestor at ``startdepth=1``.

    As Sphinx's ``_get_toctree_ancestors`` (which the theme uses) walks up: the
    last page before the root.
    """
    parent = _parents(app)
    chain: list[str] = []
    page = pagename
    while page in parent and page not in chain:
        chain.append(page)
        page = parent[page]
    return chain[-1] if chain else None


def _plain_title(app: Sphinx, title: str | None, docname: str) -> str | None:
    if title:
        return title
    node = app.env.titles.get(docname)
    if node is None or not all(isinstance(child, nodes.Text) for child in node.children):
        return None
    return node.astext()


def flat_section_nav(app: Sphinx, pagename: str, includehidden: bool) -> str | None:
    """The sidebar list of the page's section if it is flat, else None (see module doc)."""
    section = section_of(app, pagename)
    if section is None or section not in app.env.tocs:
        return None
    toctrees = list(app.env.tocs[section].findall(addnodes.toctree))
    if len(toctrees) != 1:
        return None
    toctree = toctrees[0]
    if toctree.get("caption") or toctree.get("numbered"):
        return None
    if toctree.get("hidden") and not includehidden:
        return None
    items: list[str] = []
    current = False
    for title, ref in toctree["entries"]:
        if ref not in app.env.all_docs or app.env.toctree_includes.get(ref):
            return None  # a URL, "self", or a page with its own toctree
        text = _plain_title(app, title, ref)
        if text is None:
            return None
        text = text.translate(_MINIMAL)
        if ref == pagename:
            current = True
            items.append(
                '<li class="toctree-l1 current active"><a aria-current="page" '
                f'class="current reference internal" href="#">{text}</a></li>'
            )
        else:
            href = app.builder.get_relative_uri(pagename, ref)
            if '"' in href:
                return None  # BeautifulSoup would quote it otherwise
            href = href.translate(_MINIMAL)
            items.append(
                f'<li class="toctree-l1"><a class="reference internal" href="{href}">'
                f"{text}</a></li>"
            )
    if not items:
        return None
    classes = "current nav bd-sidenav" if current else "nav bd-sidenav"
    return f'<ul class="{classes}">\n' + "\n".join(items) + "\n</ul>\n"


def _wrap(app: Sphinx, pagename: str, generate: Callable[..., Any]) -> Callable[..., Any]:
    def generate_toctree_html(kind: str, startdepth: int = 1, **kwargs: Any) -> Any:
        if kind == "sidebar" and startdepth == 1 and kwargs.get("titles_only"):
            found = flat_section_nav(app, pagename, bool(kwargs.get("includehidden")))
            if found is not None:
                return found
        return generate(kind, startdepth, **kwargs)

    return generate_toctree_html


def use_flat_section_nav(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context``, after the theme's handler: wrap its ``generate_toctree_html``."""
    generate = context.get("generate_toctree_html")
    if generate is not None:
        context["generate_toctree_html"] = _wrap(app, pagename, generate)


def setup(app: Sphinx) -> None:
    # pydata-sphinx-theme adds generate_toctree_html at the default priority (500)
    app.connect("html-page-context", use_flat_section_nav, priority=600)
