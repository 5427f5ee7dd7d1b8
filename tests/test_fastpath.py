"""Issue pages pre-rendered to HTML (the fast path) and parsed by MyST must look the same."""

from __future__ import annotations

import html
import pickle
import random
import re

import pytest

from conftest import issue_page
from roundup_kb.parser import markdown
from roundup_kb.prerender import HTML_TOKEN, compact, educate, expand, myst_syntax, skeleton

BODY = """
Intro with "quotes", an en -- dash, an em --- dash... and a [link](https://example.org/intro).

## Managing Teams

[First article](https://example.org/first) - Ada Lovelace, Some Venue

Commentary with *emphasis*, **strong**, `code` and a [mention](https://example.org/mention).

- a list item with [a link](https://example.org/in-list)
- another ~~struck~~ item

> a quote

----------

[Second](https://example.org/second) - Grace Hopper, Other Venue<br/>
[Third](https://example.org/third) - Alan Turing, Third Venue

| a | b |
| - | - |
| 1 | 2 |

```python
print("hi")
```

<p>raw <b>html</b></p>

## Random

Closing words.
"""


def _tokens(body: str):
    return markdown().parse(body)


@pytest.mark.parametrize(
    "body, why",
    [
        ("Text {term}`foo` here.\n", "myst_role"),
        ("```{note}\nhi\n```\n", "MyST directive"),
        (":::{note}\nhi\n:::\n", "colon_fence"),
        ("(target)=\n\n# Head\n", "MyST line syntax"),
        ("% a comment\n", "MyST line syntax"),
        ("Term\n: definition\n", "MyST line syntax"),
        ("A footnote[^1].\n", "MyST line syntax"),
        ("See [the other issue](0093.md).\n", "a link to a document"),
        ("![local](images/x.png)\n", "a local image"),
    ],
)
def test_myst_syntax_sends_the_page_to_myst(body, why):
    reason = myst_syntax(_tokens(body))
    assert reason is not None and why in reason


def test_plain_markdown_is_not_myst():
    assert myst_syntax(_tokens(BODY)) is None


def test_skeleton_keeps_headings_and_item_paragraphs():
    tokens = _tokens(BODY)
    lines = BODY.split("\n")
    item_lines = [i for i, line in enumerate(lines) if line.startswith("[")]
    out = skeleton(tokens, item_lines)
    assert not isinstance(out, str)
    kinds = [t.type for t in out if t.level == 0 and t.nesting >= 0]
    assert kinds == [
        HTML_TOKEN,
        "heading_open",
        "paragraph_open",
        HTML_TOKEN,
        "paragraph_open",
        HTML_TOKEN,
        "fence",
        HTML_TOKEN,
        "heading_open",
        HTML_TOKEN,
    ]
    intro = out[0].content
    assert "\u201cquotes\u201d" in intro and "\u2013 dash" in intro and "\u2014 dash\u2026" in intro
    assert '<a href="https://example.org/intro" class="reference external">link</a>' in intro
    blocks = [t.content for t in out if t.type == HTML_TOKEN]
    assert "~~struck~~" in blocks[1] and "<s>" not in blocks[1]  # as MyST shows it
    assert '<hr class="docutils" />' in blocks[1] and "<table>" in blocks[2]
    assert "raw <b>html</b>" in blocks[3]
    # each pre-rendered block starts at its first source line
    assert out[0].map[0] == 1 and out[-1].map[0] == lines.index("Closing words.")


def _visible(page: str) -> str:
    start = page.index('<article class="bd-article">')
    article = page[start : page.index("</article>", start)]
    text = html.unescape(re.sub(r"<[^>]+>", " ", article))
    return " ".join(text.split())


def _hrefs(page: str) -> list[str]:
    start = page.index('<article class="bd-article">')
    article = page[start : page.index("</article>", start)]
    return re.findall(r'href="([^"]+)"', article)


def test_fast_and_myst_pages_show_the_same(make_site):
    mail = "\nWrite to [me.too@example.org](mailto:me.too@example.org) or <a.b@example.org>.\n"
    site = make_site({1: issue_page(1, "2021-01-08", BODY + mail)})
    _, warnings = site.build(warningiserror=True)
    assert warnings == ""
    fast = site.html("issues/0001.html")
    doctree = pickle.loads((site.root / "_build/doctrees/issues/0001.doctree").read_bytes())
    raws = [n for n in doctree.findall() if n.tagname == "raw" and "Commentary" in n.astext()]
    assert raws, "the page did not take the fast path"

    _, warnings = site.build(fresh=True, confoverrides={"roundup_fast_pages": False})
    assert warnings == ""
    slow = site.html("issues/0001.html")
    doctree = pickle.loads((site.root / "_build/doctrees/issues/0001.doctree").read_bytes())
    assert not [n for n in doctree.findall() if n.tagname == "raw" and "Commentary" in n.astext()]

    assert _visible(fast) == _visible(slow)
    assert _hrefs(fast) == _hrefs(slow)
    # e-mail addresses cloaked as docutils cloaks them
    cloaked = "a<span>&#46;</span>b<span>&#64;</span>example<span>&#46;</span>org"
    assert cloaked in fast and cloaked in slow
    assert "mailto:me&#46;too&#37;&#52;&#48;example&#46;org" in fast
    ids = re.compile(r' id="([^"]+)"')
    assert ids.findall(fast) == ids.findall(slow)
    assert fast.count('<span class="roundup-entry" id=') == 3
    # commentary stays searchable
    index = (site.out / "searchindex.js").read_text()
    assert '"commentari"' in index or '"commentary"' in index


@pytest.mark.parametrize(
    "settings",
    [
        {"language": "de"},
        {"language": "fr", "smartquotes_action": "qe"},
        {"language": "ja"},  # in Sphinx's smartquotes_excludes
        {"smartquotes": False},
        {"myst_enable_extensions": ["colon_fence", "deflist"], "language": "de"},
        {"myst_enable_extensions": ["smartquotes", "replacements"], "language": "sv"},
    ],
    ids=["de", "fr-qe", "ja", "off", "de-no-myst-smartquotes", "sv-replacements"],
)
def test_fast_pages_follow_the_sites_smartquotes_settings(make_site, settings):
    body = BODY + "\nShe said 'yes' -- \"twice\"... It's the '80s, (c) +- 1?.... x---y\n"
    site = make_site({1: issue_page(1, "2021-01-08", body)})
    _, warnings = site.build(warningiserror=True, confoverrides=settings)
    assert warnings == ""
    fast = site.html("issues/0001.html")
    doctree = pickle.loads((site.root / "_build/doctrees/issues/0001.doctree").read_bytes())
    assert [n for n in doctree.findall() if n.tagname == "raw" and "Commentary" in n.astext()]
    site.build(fresh=True, confoverrides={**settings, "roundup_fast_pages": False})
    slow = site.html("issues/0001.html")
    assert _visible(fast) == _visible(slow)


def test_myst_extensions_the_pre_render_does_not_reproduce_turn_it_off(make_site):
    site = make_site({1: issue_page(1, "2021-01-08", BODY)})
    extensions = ["colon_fence", "deflist", "smartquotes", "tasklist"]
    app, warnings = site.build(confoverrides={"myst_enable_extensions": extensions})
    assert warnings == ""
    assert "parsed by MyST, not pre-rendered: myst_enable_extensions has tasklist" in (
        app._status.getvalue()
    )
    doctree = pickle.loads((site.doctrees / "issues/0001.doctree").read_bytes())
    assert not [n for n in doctree.findall() if n.tagname == "raw" and "Commentary" in n.astext()]
    assert "Commentary with" in site.html("issues/0001.html")


def test_a_backslash_escape_with_the_typographer_sends_the_page_to_myst():
    tokens = _tokens('Text with an escaped \\"quote\\".\n')
    assert "backslash" in skeleton(tokens, [], typographer=("smartquotes",))
    assert not isinstance(skeleton(_tokens('Text with an escaped \\"quote\\".\n'), []), str)


def test_builders_that_show_no_html_get_the_whole_page(make_site):
    """Pre-rendered blocks are raw HTML: a text build must not lose the commentary,
    nor when it shares the doctrees of an HTML build."""
    site = make_site({1: issue_page(1, "2021-01-08", BODY)})
    site.build()
    doctree = pickle.loads((site.doctrees / "issues/0001.doctree").read_bytes())
    assert [n for n in doctree.findall() if n.tagname == "raw" and "Commentary" in n.astext()]
    site.build(builder="text")  # the same doctree directory, no source changed
    text = (site.root / "_build/text/issues/0001.txt").read_text(encoding="utf-8")
    for words in ("Intro with", "Commentary with", "a list item with", "a quote", "Closing words"):
        assert words in text, words
    site.build(builder="text", fresh=True)
    assert (site.root / "_build/text/issues/0001.txt").read_text(encoding="utf-8") == text


def test_reference_style_links_take_the_fast_path_and_show_the_same(make_site):
    body = (
        "## Random\n\n[An item][item] - Someone, Venue\n\n"
        "Commentary with [a reference][ref] in it.\n\n"
        "[item]: https://example.org/item\n[ref]: https://example.org/ref\n"
    )
    site = make_site({1: issue_page(1, "2021-01-08", body)})
    _, warnings = site.build(warningiserror=True)
    assert warnings == ""
    fast = site.html("issues/0001.html")
    doctree = pickle.loads((site.root / "_build/doctrees/issues/0001.doctree").read_bytes())
    assert [n for n in doctree.findall() if n.tagname == "raw" and "Commentary" in n.astext()]
    site.build(fresh=True, confoverrides={"roundup_fast_pages": False})
    slow = site.html("issues/0001.html")
    assert _visible(fast) == _visible(slow)
    assert _hrefs(fast) == _hrefs(slow)
    assert "https://example.org/ref" in _hrefs(fast)
    assert fast.count('<span class="roundup-entry" id=') == 1


def test_a_page_with_myst_syntax_is_parsed_by_myst(make_site, monkeypatch):
    from roundup_kb.sphinxext import fastpath

    body = "## Random\n\n[An item](https://example.org/a) - Someone, Venue\n\n```{note}\nA note.\n```\n"
    site = make_site({1: issue_page(1, "2021-01-08", body)})
    again = []  # the pre-scan found why: the page is not parsed again to find it out
    monkeypatch.setattr(fastpath, "skeleton", lambda *args, **kw: again.append(args))
    _, warnings = site.build(warningiserror=True)
    assert again == []
    assert warnings == ""
    page = site.html("issues/0001.html")
    assert "admonition note" in page and 'id="rct1-example-a"' in page


def test_compact_skeleton_expands_to_the_same_tokens():
    lines = BODY.split("\n")
    items = [i for i, line in enumerate(lines) if line.startswith("[")]
    whole = skeleton(_tokens(BODY), items)
    packed = compact(_tokens(BODY), items)
    assert isinstance(packed, bytes)
    again = expand(packed)
    assert again == whole  # every field of every token, children included
    assert {t.type for t in again} >= {HTML_TOKEN, "heading_open", "inline"}
    assert all(t.attrs == {} for t in again if t.type == "paragraph_open")
    # reference-style links are resolved in the tokens: nothing to parse again
    body = "[a][r]\n\n[r]: https://x.org\n"
    links = [c for t in expand(compact(_tokens(body), [0])) for c in t.children or ()]
    assert links[0].attrs == {"href": "https://x.org"}
    assert compact(_tokens("Text {term}`foo` here.\n"), []) == "a myst_role at body line 1"


def test_links_to_the_archive_in_commentary_become_internal(make_site):
    body = (
        "## Random\n\n[An item](https://example.org/a) - Someone, Venue\n\n"
        "As [last week](https://www.researchcomputingteams.org/newsletter_issues/0001) said.\n"
    )
    site = make_site({1: issue_page(1, "2021-01-01"), 2: issue_page(2, "2021-01-08", body)})
    _, warnings = site.build(warningiserror=True)
    assert warnings == ""
    page = site.html("issues/0002.html")
    assert '<a href="0001.html" class="reference internal roundup-issue-link">last week</a>' in page


#: pieces of text that each step of smartquotes changes, and some it leaves alone
_TYPOGRAPHY_PIECES = [
    "plain words",
    "it's",
    "'quoted'",
    '"double"',
    '"',
    "'",
    "the '80s",
    "--",
    "---",
    "a - b",
    "...",
    ". . .",
    "\\'",
    '\\"',
    "\\.",
    "\\-",
    "\\\\",
    "&#39;",
    "&#92;",
    "(",
    "[",
    " ",
    "x",
    "\n",
]


def test_educate_makes_what_docutils_smartquotes_makes():
    """The gated steps give docutils' text for every mix of quotes, dashes,
    ellipses, escapes and entity-like text, across runs of text and code."""
    from docutils.utils.smartquotes import educate_tokens

    rng = random.Random(94)
    for _ in range(3000):
        stream = [
            (
                rng.choice(["plain", "plain", "plain", "literal", "tag"]),
                "".join(rng.choice(_TYPOGRAPHY_PIECES) for _ in range(rng.randint(0, 5))),
            )
            for _ in range(rng.randint(1, 5))
        ]
        assert list(educate(stream)) == list(educate_tokens(stream, "qDe", "en")), stream
    for language in ("de", "fr", "ja", "sv"):
        for _ in range(300):
            stream = [("plain", "".join(rng.choice(_TYPOGRAPHY_PIECES) for _ in range(5)))]
            expected = list(educate_tokens(stream, "qDe", language))
            assert list(educate(stream, "qDe", language)) == expected, (language, stream)
    other = [("plain", '"a" -- b...')]
    assert list(educate(other, "qe")) == list(educate_tokens(other, "qe", "en"))
    assert list(educate(other, "qe", "de")) == list(educate_tokens(other, "qe", "de"))
