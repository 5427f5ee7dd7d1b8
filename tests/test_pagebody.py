"""A page's HTML body keeps Sphinx's debug ``repr`` of each ``html-page-context`` short."""

from __future__ import annotations

import json
import sys
from types import SimpleNamespace

import pytest

from conftest import issue_page
from roundup_kb.sphinxext.pagebody import PageBody, quiet_bodies

BODY = "<p>caf\u00e9 — x</p>" * 20_000

PROBE = """
import json
from pathlib import Path

SEEN = {}


def _look(app, pagename, templatename, context, doctree):
    body = context.get("body")
    SEEN[pagename] = [type(body).__name__, len(body or ""), len(repr(context))]


def _dump(app, exception):
    Path(app.outdir, "probe.json").write_text(json.dumps(SEEN))


def setup(app):
    app.connect("html-page-context", _look, priority=1)
    app.connect("build-finished", _dump)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
"""


class _Builder:
    def __init__(self, name: str) -> None:
        self.name = name

    def get_doc_context(self, docname: str, body: str, metatags: str) -> dict:
        return {"body": body, "title": docname}


def test_page_body_is_the_same_text_with_a_short_repr():
    body = PageBody(BODY)
    assert body == BODY and str(body) == BODY and type(str(body)) is str
    assert f"{body}" == BODY and body + "!" == BODY + "!"
    assert repr(body) == f"<page body: {len(BODY)} characters>"
    assert json.loads(json.dumps({"body": body}))["body"] == BODY


@pytest.mark.parametrize("name, wrapped", [("html", True), ("dirhtml", True), ("pickle", False)])
def test_only_builders_that_write_html_files_get_it(name, wrapped):
    app = SimpleNamespace(builder=_Builder(name))
    quiet_bodies(app)
    context = app.builder.get_doc_context("page", BODY, "")
    assert context["body"] == BODY and context["title"] == "page"
    assert isinstance(context["body"], PageBody) is wrapped
    assert (len(repr(context)) < 200) is wrapped


@pytest.mark.sphinx
def test_html_page_context_of_a_built_page_has_a_short_repr(make_site, monkeypatch):
    body = "## Managing Teams\n\n" + "".join(
        f"[Item {n}](https://example.org/{n}) - Ada Lovelace\n\n{'Long commentary. ' * 40}\n\n"
        for n in range(40)
    )
    site = make_site({1: issue_page(1, "2021-01-01", body)})
    (site.root / "pagebody_probe.py").write_text(PROBE, encoding="utf-8")
    with (site.root / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write("\nextensions.append('pagebody_probe')\n")
    monkeypatch.syspath_prepend(str(site.root))
    try:
        site.build()
    finally:
        sys.modules.pop("pagebody_probe", None)
    seen = json.loads((site.out / "probe.json").read_text())
    kind, length, context = seen["docs/topics/managing-teams"]
    assert kind == "PageBody" and length > 10_000 and context < length / 2
    kind, length, context = seen["issues/0001"]
    assert kind == "PageBody" and length > 10_000 and context < length / 2
    assert "Long commentary." in site.html("issues/0001.html")
