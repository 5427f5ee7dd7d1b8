"""Write a page's toctree parents again only when what their toctrees show of it changed.

When a page is read again, Sphinx writes again every page whose toctree lists it
(``env.files_to_rebuild``), because the page's title or sections may have
changed.  For an edited issue that is the archive, whose toctree lists every
issue: 0.49 to 0.90 s of an edit rebuild at 2,000 issues (0.08 to 0.11 s on the
corpus), for a page that comes out the same whenever the edit left the issue's
title and sections alone.  A view costs about a millisecond a page to note and
as much to compare (2,079 pages: 2.6 s and 1.2 s), so only the pages read again
whose parents are not read again too are noted: one for an edit, none after a
configuration change that reads every page.

Before the pages are read, this module notes what a toctree shows of each page
about to be read again that has toctree parents: its title, its table of contents,
its ``tocdepth``, its section and figure numbers, its own toctrees.  When writing
starts, a page whose noted view is unchanged does not bring its parents in; the
parents are still written when anything else asks for them (their own change, or
the domain's list of pages showing changed data).  Sphinx's
``env.files_to_rebuild`` is swapped for a copy for the one comprehension that
reads it in ``Builder.write`` and put back when the build finishes.

``roundup_skip_unchanged_toctree_parents = False`` restores Sphinx's rule, for a
project with another extension that shows more of a page in its toctree parents
than the toctree does and counts on them being written again.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

#: app attributes: the views noted before reading; the environment's own map
_VIEWS = "_roundup_toc_views"
_ORIGINAL = "_roundup_files_to_rebuild"


def toc_view(env: Any, docname: str) -> tuple:
    """What a toctree listing ``docname`` shows of it, comparable between builds."""
    title = env.titles.get(docname)
    toc = env.tocs.get(docname)
    return (
        title.pformat() if title is not None else None,
        toc.pformat() if toc is not None else None,
        env.metadata.get(docname, {}).get("tocdepth"),
        repr(env.toc_secnumbers.get(docname)),
        repr(env.toc_fignumbers.get(docname)),
        tuple(env.toctree_includes.get(docname, ())),
        docname in env.glob_toctrees,
        docname in env.numbered_toctrees,
    )


def note_views(app: Sphinx, env: Any, docnames: list[str]) -> None:
    """``env-before-read-docs``: note the view of each page read again whose toctree
    parents are not read again themselves (those are written anyway)."""
    if not app.config.roundup_skip_unchanged_toctree_parents:
        setattr(app, _VIEWS, {})
        return
    reading = set(docnames)
    setattr(
        app,
        _VIEWS,
        {
            doc: toc_view(env, doc)
            for doc in docnames
            if doc in env.all_docs and env.files_to_rebuild.get(doc, set()) - reading
        },
    )


def keep_parents_of_unchanged(app: Sphinx, builder: Any) -> None:
    """``write-started``: hide the parents of pages whose view did not change."""
    env = app.env
    views = getattr(app, _VIEWS, {})
    setattr(app, _VIEWS, {})
    same = {
        doc for doc, view in views.items() if doc in env.all_docs and toc_view(env, doc) == view
    }
    if not same:
        return
    original = env.files_to_rebuild
    setattr(app, _ORIGINAL, original)
    env.files_to_rebuild = {
        doc: set() if doc in same else parents for doc, parents in original.items()
    }


def restore(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: put Sphinx's map back."""
    original = getattr(app, _ORIGINAL, None)
    if original is not None:
        app.env.files_to_rebuild = original
        setattr(app, _ORIGINAL, None)


def setup(app: Sphinx) -> None:
    app.add_config_value("roundup_skip_unchanged_toctree_parents", True, "", types=[bool])
    app.connect("env-before-read-docs", note_views)
    app.connect("write-started", keep_parents_of_unchanged)
    app.connect("build-finished", restore)
