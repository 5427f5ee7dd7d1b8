"""A page's HTML body whose ``repr()`` is short.

Sphinx's ``EventManager.emit`` makes ``repr(args)`` of every event it emits, for a
debug message, whether debug messages are shown or not.  For
``html-page-context`` the arguments hold the page's context, and the context the
page's whole HTML body: the glossary of the 200-issue synthetic corpus is 0.8 MB,
and at 2,000 issues 8 MB.  Copying the generated pages into those strings took
about 30 ms of each addition to the 200-issue corpus (measured with a scratch
``html-page-context`` handler timing the same ``repr``), and 0.12 s of its full
build.

So the HTML builders' ``get_doc_context`` gives the body as :class:`PageBody`, a
``str`` in everything but its ``repr``.  Templates write it as they write any
string.  Only the builders whose pages are written as HTML files get it (the
pickle and JSON builders keep a plain ``str``: they store the context).
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from roundup_kb.sphinxext.issues import RENDERED_WHEN_WRITTEN


class PageBody(str):
    """A page's HTML body: a ``str`` whose ``repr()`` gives its length, not its text."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<page body: {len(self)} characters>"


def quiet_bodies(app: Sphinx) -> None:
    """``builder-inited``: wrap the HTML builder's ``get_doc_context``."""
    builder = app.builder
    if builder.name not in RENDERED_WHEN_WRITTEN:
        return
    original = builder.get_doc_context

    def get_doc_context(docname: str, body: str, metatags: str) -> dict[str, Any]:
        context = original(docname, body, metatags)
        if isinstance(context.get("body"), str):
            context["body"] = PageBody(context["body"])
        return context

    builder.get_doc_context = get_doc_context  # type: ignore[method-assign]


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", quiet_bodies)
