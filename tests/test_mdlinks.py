"""The link normaliser's shortcut gives what markdown-it-py's own normaliser gives."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it.common.normalize_url import normalizeLink

from conftest import corpus_dir
from roundup_kb.mdlinks import _AS_IS, normalize_link
from roundup_kb.parser import markdown

SCHEMES = [
    "https://",
    "http://",
    "HTTP://",
    "Https://",
    "ftp://",
    "mailto:",
    "//",
    "",
    "javascript:",
]
#: characters that matter to mdurl's parse, its host rules and its encoding
HOST_CHARS = "abcXYZ019-_.:@%+[]'~ \u00e9\u4e2d"
REST_CHARS = "aZ09/?#;:@&=+$,-_.!~*'()%[]{}|\\^`<>\" \t\u00e9\u4e2d\U0001f600"


def _url(scheme: str, host: str, port: str, rest: str) -> str:
    return f"{scheme}{host}{port}{rest}"


random_urls = st.builds(
    _url,
    st.sampled_from(SCHEMES),
    st.one_of(
        st.text(HOST_CHARS, max_size=12),
        st.text("abc-", min_size=60, max_size=70),  # labels at mdurl's 63-character limit
        st.lists(st.text("ab", min_size=1, max_size=3), min_size=1, max_size=90).map(".".join),
    ),
    st.sampled_from(["", ":", ":8080", ":x"]),
    st.builds(
        str.__add__,
        st.sampled_from(["", "/", "?", "#", "/a/", "@"]),
        st.text(REST_CHARS, max_size=20).map(lambda s: s.replace("%", "%4")),
    ),
)
#: URLs that are all but plain: one character of the path may be one that needs work
nearly_plain = st.builds(
    _url,
    st.sampled_from(["https://", "http://"]),
    st.lists(st.text("abz09-", min_size=1, max_size=8), min_size=1, max_size=4).map(".".join),
    st.sampled_from(["", ":443"]),
    st.builds(
        "{}{}{}".format,
        st.sampled_from(["/", "?", "#", "/a/b?c=d#"]),
        st.text("aZ09/?#;:@&=+$,-_.!~*'()", max_size=10),
        st.text(REST_CHARS, max_size=2).map(lambda s: s.replace("%", "%2")),
    ),
)
urls = st.one_of(random_urls, nearly_plain)


@settings(max_examples=1500, deadline=None)
@given(urls)
@example("https://example.org/a/b?c=d&e=%2F#frag")
@example("https://example.org:/path")
@example("https://" + "a" * 63 + ".org/")
@example("https://" + "a" * 64 + ".org/")
@example("https://" + ".".join(["ab"] * 86) + "/")
@example("https://medium.com/@someone/post-1?source=rss----%7E")
@example("https://example.org/100%")
@example("https://example.org/%zz")
@example("https://exa_mple.org/")
def test_the_shortcut_gives_markdown_its_own_result(url: str) -> None:
    assert normalize_link(url) == normalizeLink(url)


def test_the_random_urls_take_the_shortcut_often() -> None:
    # otherwise the test above would check little of the shortcut
    taken = []

    @settings(max_examples=500, deadline=None)
    @given(urls)
    def sample(url: str) -> None:
        taken.append(bool(_AS_IS.match(url)))

    sample()
    assert sum(taken) > len(taken) / 4


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org",
        "https://example.org/",
        "http://example.org:8080/a/b.html?x=1&y=2#top",
        "https://doi.org/10.1145/3458817.3476159",
        "https://medium.com/@someone/a-post-3f2a",
        "https://example.org/search?q=%E2%9C%93",
    ],
)
def test_the_usual_links_take_the_shortcut(url: str) -> None:
    # the shortcut is the point; were it never taken this module would buy nothing
    assert _AS_IS.match(url)
    assert normalize_link(url) == url == normalizeLink(url)


@pytest.mark.parametrize(
    "url",
    [
        "HTTPS://example.org/",  # mdurl keeps the scheme, but the shortcut is for lower case
        "https://exämple.org/",  # punycoded
        "https://example.org/a b",  # encoded
        "https://example.org/100%",  # a bare % is encoded
        "https://[::1]/",  # IPv6 host
        "https://user@example.org/",
        "mailto:someone@example.org",
        "/relative/path",
    ],
)
def test_anything_else_goes_to_markdown(url: str) -> None:
    assert not _AS_IS.match(url)
    assert normalize_link(url) == normalizeLink(url)


def test_the_parser_uses_it() -> None:
    assert markdown().normalizeLink is normalize_link


@pytest.mark.corpus
def test_every_link_of_the_corpus() -> None:
    seen: list[str] = []
    md = markdown()

    def record(url: str) -> str:
        seen.append(url)
        return normalizeLink(url)

    md.normalizeLink = record  # type: ignore[method-assign]
    for path in sorted(corpus_dir().glob("*.md")):
        md.parse(path.read_text(encoding="utf-8"))
    assert len(seen) > 1000
    assert [normalize_link(url) for url in seen] == [normalizeLink(url) for url in seen]
    assert sum(bool(_AS_IS.match(url)) for url in seen) > len(seen) * 0.8
