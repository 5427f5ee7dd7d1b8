"""The faster smartquotes transform makes exactly what Sphinx's makes."""

from __future__ import annotations

import io
from types import SimpleNamespace

from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sphinx.transforms import SphinxSmartQuotes

from conftest import issue_page
from roundup_kb.sphinxext.smartquotes import FastSmartQuotes

#: runs of text: quotes, dashes, ellipses, escapes and plain words
_TEXT = st.lists(
    st.sampled_from(
        ['"', "'", "--", "---", "...", ". . .", "\\", "\x00'", "\x00-", "``", "word", " ", "a", "("]
    ),
    min_size=1,
    max_size=6,
).map("".join)


@st.composite
def _inline(draw, depth: int = 0) -> nodes.Node:
    kind = draw(st.sampled_from(["text", "text", "literal", "emphasis", "reference", "raw"]))
    if kind == "text" or depth > 1:
        return nodes.Text(draw(_TEXT))
    if kind == "literal":
        return nodes.literal("", draw(_TEXT))
    if kind == "raw":
        return nodes.raw("", draw(_TEXT), format="html")
    node = nodes.emphasis() if kind == "emphasis" else nodes.reference(refuri="https://a.org")
    node.extend(draw(st.lists(_inline(depth + 1), min_size=1, max_size=3)))
    return node


@st.composite
def _document_parts(draw) -> list[nodes.Element]:
    blocks = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["paragraph", "title", "literal_block", "item"]))
        block: nodes.Element
        if kind == "literal_block":
            block = nodes.literal_block("", draw(_TEXT))
        else:
            inner = nodes.paragraph() if kind != "title" else nodes.title()
            inner.extend(draw(st.lists(_inline(), min_size=0, max_size=4)))
            language = draw(st.sampled_from([None, "de", "fr", "xx"]))
            if language:
                inner["classes"].append(f"language-{language}")
            block = nodes.list_item("", inner) if kind == "item" else inner
        blocks.append(block)
    return blocks


def _document(parts: list[nodes.Element], smart_quotes, action: str, language: str):
    config = SimpleNamespace(
        smartquotes=True,
        smartquotes_action=action,
        smartquotes_excludes={"languages": [], "builders": []},
        language=language,
    )
    env = SimpleNamespace(
        config=config,
        _builder_cls=SimpleNamespace(name="html"),
        settings={"language_code": language},
    )
    doc_settings = get_default_settings(Parser)
    doc_settings.env = env
    doc_settings.smart_quotes = smart_quotes
    doc_settings.language_code = language
    doc_settings.warning_stream = io.StringIO()
    document = new_document("<test>", doc_settings)
    document.extend(part.deepcopy() for part in parts)
    return document


@given(
    _document_parts(),
    st.sampled_from([True, "alt"]),
    st.sampled_from(["qDe", "qDe", "qe", "1"]),
    st.sampled_from(["en", "de", "fr"]),
)
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fast_smartquotes_makes_what_sphinx_makes(parts, smart_quotes, action, language):
    made = []
    for transform in (SphinxSmartQuotes, FastSmartQuotes):
        document = _document(parts, smart_quotes, action, language)
        transform(document, startnode=None).apply()
        made.append((document.pformat(), document.settings.warning_stream.getvalue()))
    assert made[0] == made[1]


def test_sphinx_uses_the_fast_transform(make_site):
    body = '## Random\n\n[A "quoted" paper](https://example.org/a) - Ann Author, Venue\n\nWhy.\n'
    site = make_site({1: issue_page(1, "2021-01-01", body)})
    app, _ = site.build()
    transforms = app.registry.get_transforms()
    assert FastSmartQuotes in transforms and SphinxSmartQuotes not in transforms
    assert "A \u201cquoted\u201d paper" in site.html("issues/0001.html")
