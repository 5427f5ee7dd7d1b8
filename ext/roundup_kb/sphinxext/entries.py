"""Entries in issue pages: anchors, permalinks, badges and "also featured in".

The core parser finds link items in the page's Markdown and reports each one's
URL and source line; here the matching ``reference`` node in the doctree MyST
built from the same text gets the entry's id, and one :class:`entry_badges`
placeholder after the item stands for its permalink, badges, cite button and
backlinks.  The placeholder is filled when the page is written
(:mod:`roundup_kb.sphinxext.pages`): one node instead of the seven they make,
on each of thousands of entries, is that much less for every transform, the
pickler and the search index to walk.
"""

from __future__ import annotations

from collections.abc import Iterator

from docutils import nodes
from sphinx.addnodes import pending_xref

from roundup_kb.model import Entry, Issue


def _references(document: nodes.document) -> Iterator[nodes.reference]:
    for ref in document.findall(nodes.reference):
        if ref.get("refuri"):
            yield ref


def _line_of(node: nodes.Node) -> int:
    while node is not None:
        if getattr(node, "line", None):
            return node.line
        node = node.parent
    return 0


def _paragraph_of(node: nodes.Node) -> tuple[nodes.Element, nodes.Node] | None:
    """The paragraph holding ``node`` and the paragraph's child that contains it."""
    child = node
    while child.parent is not None and not isinstance(child.parent, nodes.paragraph):
        child = child.parent
    if child.parent is None:
        return None
    return child.parent, child


def _line_end(paragraph: nodes.Element, child: nodes.Node) -> int:
    """Index in ``paragraph`` just before the ``<br/>`` ending the line that holds ``child``."""
    index = paragraph.index(child) + 1
    while index < len(paragraph):
        node = paragraph[index]
        if isinstance(node, nodes.raw) and "<br" in node.astext().lower():
            break
        index += 1
    return index


def xref(
    reftype: str, target: str, text: str, classes: list[str], *, explicit: bool = True
) -> pending_xref:
    """A cross-reference the ``roundup`` domain resolves (``explicit=False``: its own title)."""
    node = pending_xref(
        "", refdomain="roundup", reftype=reftype, reftarget=target, refexplicit=explicit
    )
    node += nodes.inline(text, text, classes=classes)
    return node


def cite_button_html(key: str, issue: int, label: str = "cite") -> str:
    """The button that opens the cite panel (``roundup-cite.js``) for an entry or an issue.

    About 90 bytes per entry: the citation data itself is fetched on demand.
    """
    return (
        f'<button type="button" class="roundup-cite" data-cite="{key}" data-issue="{issue}">'
        f"{label}</button>"
    )


def cite_button(key: str, issue: int, label: str = "cite") -> nodes.raw:
    """:func:`cite_button_html` as a node."""
    return nodes.raw("", cite_button_html(key, issue, label), format="html")


class entry_badges(nodes.General, nodes.Element):
    """Placeholder: what follows an entry's link and attribution, filled when resolving.

    Its permalink, its topic, kind, author and venue badges, its cite button
    and the other issues that feature or mention its URL ("also in").  Badges
    are thousands of links per build: filled by the page's renderer (HTML for
    HTML builders) they cost far less than cross-references each resolved by
    Sphinx.
    """


def badges(entry: Entry) -> entry_badges:
    return entry_badges(
        entry=entry.id,
        issue=entry.issue,
        url=entry.url,
        topic=entry.topic or "",
        kind=entry.kind,
        authors=list(entry.authors),
        venue=entry.venue or "",
    )


def permalink(entry_id: str) -> nodes.reference:
    """The visible ``#`` link to an entry's anchor."""
    node = nodes.reference("", "#", refuri=f"#{entry_id}", classes=["roundup-permalink"])
    node["reftitle"] = "Permalink to this entry"
    return node


def decorate_entries(document: nodes.document, issue: Issue, docname: str) -> list[Entry]:
    """Give each entry's link an anchor, a permalink and badges; return entries not found."""
    candidates: dict[str, list[nodes.reference]] = {}
    for ref in _references(document):
        candidates.setdefault(ref["refuri"], []).append(ref)
    claimed: set[int] = set()
    missing = []
    for entry in issue.entries:
        refs = [r for r in candidates.get(entry.url, []) if id(r) not in claimed]
        # the link on the entry's own line, else the nearest one before it
        best = None
        for ref in refs:
            line = _line_of(ref)
            if line <= entry.line or best is None:
                best = ref
            if line >= entry.line:
                break
        located = _paragraph_of(best) if best is not None else None
        if located is None:
            missing.append(entry)
            continue
        claimed.add(id(best))
        paragraph, child = located
        end = _line_end(paragraph, child)
        anchor = nodes.inline("", "", ids=[entry.id], classes=["roundup-entry"])
        paragraph.insert(paragraph.index(child), anchor)
        paragraph.insert(end + 1, badges(entry))
    return missing
