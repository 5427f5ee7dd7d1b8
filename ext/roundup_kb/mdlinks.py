"""markdown-it-py's link normaliser, without its cost for the links a newsletter has.

markdown-it-py normalises every link destination (``MarkdownIt.normalizeLink``):
it parses the URL with ``mdurl``, punycodes a non-ASCII host name, formats the
URL again and percent-encodes whatever is not allowed in it.  For the usual
``https://host/path?query#fragment`` made of characters that need no encoding,
each step gives back what it was given, yet the four of them cost a tenth of
parsing an issue page.  :func:`normalize_link` returns such a URL as it is and
hands every other one to markdown-it-py's own function, so the tokens are the
same; ``tests/test_mdlinks.py`` checks that against markdown-it-py on random
URLs and on every link of the corpus.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink

#: ASCII characters ``mdurl.encode`` keeps as they are (besides ``%XX`` escapes)
_KEPT = r"A-Za-z0-9;/?:@&=+$,\-_.!~*'()#"
#: a host name whose labels ``mdurl`` keeps whole (at most 63 characters each)
_HOST = r"[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63})*"
#: URLs whose normal form is themselves: a lower-case http(s) scheme, an ASCII
#: host name (nothing to punycode) with an optional port, then only kept
#: characters and well-formed escapes
_AS_IS = re.compile(
    rf"https?://(?={_HOST}(?::[0-9]*)?(?:[/?#]|\Z))[^/?#]{{1,255}}(?:[/?#](?:[{_KEPT}]|%[0-9A-Fa-f]{{2}})*)?\Z"
)


def normalize_link(url: str) -> str:
    """``normalizeLink(url)``, returning at once the URLs it would not change."""
    if _AS_IS.match(url):
        return url
    return normalizeLink(url)


def use_fast_links(md: MarkdownIt) -> MarkdownIt:
    """Give ``md`` :func:`normalize_link`; returns ``md``, for chaining."""
    md.normalizeLink = normalize_link  # type: ignore[method-assign]
    return md
