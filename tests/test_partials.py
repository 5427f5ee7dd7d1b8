"""Titles rendered once a build: the same pages, fewer ``render_partial`` calls."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path
from types import SimpleNamespace

import pytest
from docutils import nodes

import roundup_kb.sphinxext.partials as partials
from conftest import issue_page


def _counting(calls: list):
    def render_partial(node):
        calls.append(node)
        return {"fragment": f"<p>{len(calls)}</p>", "title": node.astext() if node else ""}

    return render_partial


def test_a_node_is_rendered_once_and_each_caller_gets_its_own_parts():
    calls: list = []
    render = partials.memoized(_counting(calls))
    first, second = nodes.title("", "One"), nodes.title("", "One")
    parts = render(first)
    assert parts == {"fragment": "<p>1</p>", "title": "One"}
    parts["title"] = "changed by a caller"
    assert render(first) == {"fragment": "<p>1</p>", "title": "One"}
    # another node with the same text is another node: rendered on its own
    assert render(second)["fragment"] == "<p>2</p>"
    assert calls == [first, second]
    # None is passed on every time (Sphinx answers it without rendering)
    render(None)
    render(None)
    assert calls[2:] == [None, None]


def test_a_node_no_one_else_holds_is_not_kept():
    render = partials.memoized(lambda node: {"fragment": node.astext(), "title": ""})
    toc = nodes.bullet_list("", nodes.list_item("", nodes.paragraph("", "a section")))
    render(toc)
    gone = weakref.ref(toc)
    del toc
    gc.collect()
    assert gone() is None


@pytest.mark.parametrize("name, wrapped", [("html", True), ("dirhtml", True), ("latex", False)])
def test_only_builders_that_write_html_files_memoize(name, wrapped):
    calls: list = []
    original = _counting(calls)
    app = SimpleNamespace(builder=SimpleNamespace(name=name, render_partial=original))
    partials.memo_partials(app)
    assert (app.builder.render_partial is not original) is wrapped


def _site_pages(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*.html"))
        if "_sources" not in path.parts
    }


@pytest.mark.sphinx
def test_a_built_site_is_the_same_with_fewer_renders(make_site, tmp_path, monkeypatch):
    """Two builds of one site, with and without the memo: the same HTML, byte for byte
    (titles with quotes that smartquotes changes, and inline code), and fewer calls."""
    from sphinx.builders.html import StandaloneHTMLBuilder

    issues = {
        number: issue_page(
            number,
            f"2021-0{number}-01",
            f"## Managing Teams\n\n[Item](https://example.org/{number}) - Ada Lovelace\n\nText.\n",
            title=f"#{number} - 'Quoted' and `code` -- {number}",
        )
        for number in (1, 2, 3)
    }
    sphinx_render = StandaloneHTMLBuilder.render_partial
    made: dict[str, list] = {}
    outputs: dict[str, dict[str, bytes]] = {}
    for memo in (True, False):
        calls = made.setdefault(str(memo), [])

        def counted(self, node, calls=calls):
            calls.append(node)
            return sphinx_render(self, node)

        monkeypatch.setattr(StandaloneHTMLBuilder, "render_partial", counted)
        if not memo:
            monkeypatch.setattr(partials, "memo_partials", lambda app: None)
        site = make_site(issues) if memo else _another_site(make_site, tmp_path, issues)
        _, warnings = site.build()
        assert "WARNING" not in warnings
        outputs[str(memo)] = _site_pages(site.out)
    assert outputs["True"] == outputs["False"]
    page = outputs["True"]["issues/0002.html"].decode()
    # the page's own title and its neighbours' (previous and next) went through the memo
    assert page.count("\u2018Quoted\u2019") >= 3, page
    with_memo, without = made["True"], made["False"]
    assert len(with_memo) < len(without)
    # every node was rendered once with the memo
    assert len({id(node) for node in with_memo if node is not None}) == len(
        [node for node in with_memo if node is not None]
    )


def _another_site(make_site, tmp_path: Path, issues: dict[int, str]):
    """``make_site`` writes to one directory: move the first build's site aside."""
    (tmp_path / "site").rename(tmp_path / "site-with-memo")
    return make_site(issues)
