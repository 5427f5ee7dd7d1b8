"""QuickHighlightLanguage leaves a tree as Sphinx's HighlightLanguageTransform does."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document
from hypothesis import given, settings
from hypothesis import strategies as st
from sphinx import addnodes
from sphinx.transforms.post_transforms.code import HighlightLanguageTransform

from conftest import issue_page
from roundup_kb.sphinxext.highlight import QuickHighlightLanguage

#: what may stand in a section, as (kind, options)
ITEMS = st.one_of(
    st.tuples(
        st.just("code"),
        st.fixed_dictionaries(
            {},
            optional={"language": st.sampled_from(["python", "c"]), "linenos": st.booleans()},
        ),
        st.integers(0, 6),  # lines
    ),
    st.tuples(
        st.just("highlight"),
        st.sampled_from(["python", "rust", "none"]),
        st.booleans(),
        st.integers(0, 5),
    ),
    st.tuples(st.just("text"), st.text("ab ", max_size=5)),
)
TREES = st.lists(st.lists(ITEMS, max_size=6), max_size=4)  # sections of items


def _document(sections: list, with_file_start: bool = False) -> nodes.document:
    doc = new_document("test", get_default_settings(Parser))
    doc.settings.env = SimpleNamespace(config=SimpleNamespace(highlight_language="default"))
    for number, items in enumerate(sections):
        section = nodes.section(ids=[f"s{number}"])
        section += nodes.title("", f"S{number}")
        parent: nodes.Element = section
        if with_file_start and number == 1:
            parent = addnodes.start_of_file(docname="other")
            section += parent
        for item in items:
            if item[0] == "code":
                _, options, lines = item
                text = "\n".join(f"line {i}" for i in range(lines))
                parent += nodes.literal_block(text, text, **options)
            elif item[0] == "highlight":
                _, lang, force, threshold = item
                parent += addnodes.highlightlang(lang=lang, force=force, linenothreshold=threshold)
            else:
                parent += nodes.paragraph(item[1], item[1])
        doc += section
    return doc


def _both(sections: list, with_file_start: bool = False) -> tuple[str, str]:
    theirs, ours = _document(sections, with_file_start), _document(sections, with_file_start)
    HighlightLanguageTransform(theirs).apply()
    QuickHighlightLanguage(ours).apply()
    return theirs.pformat(), ours.pformat()


@settings(max_examples=400, deadline=None)
@given(TREES, st.booleans())
def test_the_tree_is_the_one_sphinx_makes(sections: list, with_file_start: bool) -> None:
    theirs, ours = _both(sections, with_file_start)
    assert ours == theirs


def test_a_highlight_directive_applies_to_the_blocks_after_it() -> None:
    sections = [
        [("code", {}, 2), ("highlight", "rust", True, 3), ("code", {}, 4)],
        [("code", {"language": "c"}, 1), ("code", {}, 0)],
    ]
    theirs, ours = _both(sections)
    assert ours == theirs
    doc = _document(sections)
    QuickHighlightLanguage(doc).apply()
    blocks = list(doc.findall(nodes.literal_block))
    assert [b["language"] for b in blocks] == ["default", "rust", "c", "rust"]
    assert [b["linenos"] for b in blocks] == [False, True, False, False]
    assert not list(doc.findall(addnodes.highlightlang))


@pytest.mark.sphinx
def test_a_site_build_runs_the_quick_one(make_site) -> None:
    body = """
    ## Research Software Development

    [A tool](https://example.org/tool) - Ada Lovelace, Example Press

    Use it like this:

    ```python
    import tool
    ```

    ```
    plain
    ```
    """
    site = make_site({95: issue_page(95, "2021-10-01", body)})
    app, _ = site.build()
    transforms = app.registry.get_post_transforms()
    assert QuickHighlightLanguage in transforms
    assert HighlightLanguageTransform not in transforms
    page = site.html("issues/0095.html")
    assert 'class="highlight-python notranslate"' in page
    assert 'class="highlight-default notranslate"' in page
