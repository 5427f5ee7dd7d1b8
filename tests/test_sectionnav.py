"""The flat section navigation is the theme's, byte for byte, and steps aside otherwise."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from docutils import nodes
from sphinx import addnodes

from conftest import issue_page
from roundup_kb.sphinxext import sectionnav

BODY = """
## Managing Teams

[One-on-ones](https://example.org/1on1) - Ada Lovelace, Example Press

Worth reading.
"""


def _pages(out: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(out)): path.read_bytes()
        for path in sorted(out.rglob("*.html"))
        if "_static" not in path.parts
    }


def test_a_site_is_the_same_with_the_theme_s_own_navigation(make_site, monkeypatch) -> None:
    site = make_site({95: issue_page(95, "2021-10-01", BODY)})
    topics = site.root / "docs" / "registry" / "topics.yaml"
    text = topics.read_text(encoding="utf-8")
    # characters the HTML writer encodes, and quotes that smartquotes curls
    odd = 'title: "Managing Teams & R&D @home <3 \\"quoted\\""'
    topics.write_text(text.replace("title: Managing Teams", odd, 1), encoding="utf-8")
    written: list[str] = []
    flat = sectionnav.flat_section_nav

    def counting(app, pagename, includehidden):
        found = flat(app, pagename, includehidden)
        if found is not None:
            written.append(pagename)
        return found

    monkeypatch.setattr(sectionnav, "flat_section_nav", counting)
    site.build(fresh=True)
    ours = _pages(site.out)
    assert "docs/topics/managing-teams" in written
    assert "docs/topics/glossary" in written
    assert "docs/topics/index" in written
    assert "&amp; R&amp;D @home &lt;3" in ours["docs/topics/jobs.html"].decode()

    monkeypatch.setattr(sectionnav, "flat_section_nav", lambda app, pagename, hidden: None)
    site.build(fresh=True)
    theirs = _pages(site.out)
    assert ours.keys() == theirs.keys()
    for name in ours:
        assert ours[name] == theirs[name], name


def _app(entries, *, caption=None, hidden=True, children=None, titles=None):
    toctree = addnodes.toctree(entries=entries, caption=caption, hidden=hidden)
    toc = nodes.bullet_list("", toctree)
    includes = {"root": ["sec"], "sec": [ref for _, ref in entries], **(children or {})}
    names = {ref: nodes.title("", ref.upper()) for _, ref in entries}
    names.update(titles or {})
    env = SimpleNamespace(
        toctree_includes=includes,
        tocs={"sec": toc},
        titles=names,
        all_docs={"sec": 0, **{ref: 0 for _, ref in entries if "://" not in ref}},
    )
    builder = SimpleNamespace(get_relative_uri=lambda here, there: f"{there}.html")
    return SimpleNamespace(env=env, builder=builder)


def test_a_flat_section_is_a_plain_list() -> None:
    app = _app([(None, "a"), ("B & b", "b")])
    assert sectionnav.flat_section_nav(app, "b", True) == (
        '<ul class="current nav bd-sidenav">\n'
        '<li class="toctree-l1"><a class="reference internal" href="a.html">A</a></li>\n'
        '<li class="toctree-l1 current active"><a aria-current="page" '
        'class="current reference internal" href="#">B &amp; b</a></li>\n</ul>\n'
    )
    assert sectionnav.flat_section_nav(app, "sec", True).startswith('<ul class="nav bd-sidenav">')


def test_anything_but_a_flat_section_goes_to_the_theme() -> None:
    entries = [(None, "a"), (None, "b")]
    assert sectionnav.flat_section_nav(_app(entries, caption="Part"), "a", True) is None
    assert sectionnav.flat_section_nav(_app(entries), "a", False) is None  # hidden
    assert sectionnav.flat_section_nav(_app(entries, hidden=False), "a", False) is not None
    nested = _app(entries, children={"b": ["c"]})
    assert sectionnav.flat_section_nav(nested, "a", True) is None
    marked = _app(entries, titles={"a": nodes.title("", "", nodes.emphasis("", "A"))})
    assert sectionnav.flat_section_nav(marked, "b", True) is None
    linked = _app([(None, "a"), (None, "https://example.org")])
    assert sectionnav.flat_section_nav(linked, "a", True) is None
    assert sectionnav.flat_section_nav(_app(entries), "elsewhere", True) is None
