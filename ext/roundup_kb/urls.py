"""URLs of linked items: which are external, when two are the same, and stable slugs.

Two links point at the same thing when their :func:`normalize_url` forms are equal;
entry ids are built from :func:`url_slug` so that they depend on the URL alone and
survive edits to the rest of the issue.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

#: query parameters that only track where a click came from
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "ref", "_ga", "_gl"})


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: path words that say nothing about the page (``/blog/``, ``/index.html``, ``/p/``)
GENERIC_WORDS = _words(
    """
    abs amp article articles blog blogs content contents default detail details doc docs
    document documents en en-us en-gb entry files full htm html index item news p pdf
    php post posts pub s story view watch web wiki www aspx asp jsp shtml cfm md
    """
)

#: second-level labels under which the registrable domain is one label further left
_SECOND_LEVEL = frozenset({"ac", "co", "com", "edu", "gov", "net", "org"})

_HEXISH = re.compile(r"^(?=[0-9a-z]*\d)(?=[0-9a-z]*[a-z])[0-9a-z]{8,}$")
_WORD = re.compile(r"[a-z0-9]+")


def is_external(url: str) -> bool:
    """True for ``http``/``https`` links; ``mailto:``, in-page and relative links are not."""
    scheme = url.split(":", 1)[0].strip().lower() if ":" in url else ""
    return scheme in ("http", "https") and len(url) > len(scheme) + 3


@lru_cache(maxsize=1 << 18)  # every link of a 2,000-issue site fits
def normalize_url(url: str) -> str:
    """The form under which two links count as the same page.

    ``http`` becomes ``https``, ``www.`` and the fragment go, tracking parameters
    (``utm_*``, ``fbclid``, ``gclid``, ``mc_cid``, ``mc_eid``, ``ref``) go, the host
    is lower-cased and a trailing slash is dropped.  The remaining query keeps its
    order: it can select a different page.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    if scheme == "http":
        scheme = "https"
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and not (port == 80 or port == 443):
        host = f"{host}:{port}"
    query = ""
    if parts.query:
        query = urlencode(
            [
                (key, value)
                for key, value in parse_qsl(parts.query, keep_blank_values=True)
                if not key.lower().startswith("utm_") and key.lower() not in TRACKING_PARAMS
            ]
        )
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, host, path, query, ""))


def short_hash(text: str, length: int = 6) -> str:
    """A short stable hex digest of ``text`` (SHA-1 prefix), for disambiguation."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


def ascii_words(text: str) -> list[str]:
    """Lower-case ASCII words of ``text``; accents are folded (``ç`` → ``c``)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _WORD.findall(folded.lower())


def site_label(host: str) -> str:
    """The name-like label of a host: ``blog.cloudflare.com`` → ``cloudflare``."""
    labels = [label for label in host.lower().split(".") if label and label != "www"]
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return labels[-3]
    if len(labels) >= 2:
        return labels[-2]
    return labels[0] if labels else ""


def host_words(host: str) -> list[str]:
    """A host's words without ``www`` and the suffix: ``gamma.example.net`` → gamma, example."""
    labels = [label for label in host.lower().split(".") if label and label != "www"]
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        labels = labels[:-2]
    elif len(labels) >= 2:
        labels = labels[:-1]
    return [w for label in labels for w in ascii_words(label)]


def url_slug(url: str, max_words: int = 6) -> str:
    """Readable words that identify ``url``: the last meaningful path words, at most ``max_words``.

    Generic path words (``blog``, ``index.html``), file extensions and hash-like
    tokens are dropped.  When the path says too little, the site's name and the
    query's values are added.  The result is ``[a-z0-9-]``, possibly empty.
    """
    try:
        parts = urlsplit(normalize_url(url))
    except ValueError:
        return "-".join(ascii_words(url)[-max_words:])
    segments: list[list[str]] = []
    for segment in unquote(parts.path).split("/"):
        segment = re.sub(r"\.(html?|php|aspx?|jsp|shtml|cfm|md|pdf)$", "", segment, flags=re.I)
        kept = [w for w in ascii_words(segment) if not _HEXISH.match(w)]
        if kept and not all(w in GENERIC_WORDS for w in kept):
            segments.append(kept)
    # the last segment names the page; earlier ones only when it says too little
    words: list[str] = []
    for seg in reversed(segments):
        if all(w.isdigit() for w in seg) and any(not w.isdigit() for w in words):
            continue  # dates and numeric ids (``/2021/09/27/``) add nothing to a title
        words = seg + words
        if sum(1 for w in words if not w.isdigit()) >= 2:
            break
    if sum(1 for w in words if not w.isdigit()) < 2:
        for _key, value in parse_qsl(parts.query):
            words.extend(w for w in ascii_words(value) if len(w) <= 16)
    words = words[-max_words:]
    if not words:
        # a bare site ("https://gamma.example.net/"): its host names it
        return "-".join(host_words(parts.hostname or ""))
    if sum(1 for w in words if not w.isdigit()) < 2:
        label = site_label(parts.hostname or "")
        if label and (not words or words[0] != label):
            words = [*ascii_words(label), *words][-max_words:]
    return "-".join(words)
