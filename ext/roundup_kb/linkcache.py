"""A persistent cache of external-link check results, so a link check re-requests only
new or stale URLs.

The cache is one JSON file (``.cache/linkcheck.json`` by default)::

    {"version": 1,
     "links": {"https://example.org/a": {"status": "working", "code": 0, "info": "",
                                         "checked": "2026-05-09T07:35:25+00:00",
                                         "anchors": false}}}

What is cached (:func:`is_cacheable`): results that say something lasting about the
URL: ``working``, ``redirected``, and ``broken`` when the server answered with a
client error (404, 410, 401, 403, ...) or the page lacks the anchor.  Timeouts,
rate limiting (429), server errors (5xx), connection and TLS failures are not
cached: they are often transient, so such URLs are checked again on every run and
are never shown as dead on the site.

Freshness: a result is reused until it is ``ttl_days`` old, less a spread of up to
a quarter of the TTL that depends on the URL alone (:func:`expires_at`).  Without
the spread, every URL of a big first run would fall due in the same later run;
with it, the re-checks are spread over the last quarter of the TTL.  A TTL of 0
re-checks everything.

Nothing here imports Sphinx; :mod:`roundup_kb.sphinxext.linkcheck` uses it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from roundup_kb.problems import Problem

CACHE_VERSION = 1
DEFAULT_PATH = ".cache/linkcheck.json"
DEFAULT_TTL_DAYS = 30.0
#: the largest share of the TTL by which a URL's results expire early (see module doc)
SPREAD = 0.25
DAY = 86400.0

#: statuses of Sphinx's linkcheck builder that are cached without further question
_LASTING = frozenset({"working", "redirected"})
#: ``requests``' HTTPError text: "404 Client Error: Not Found for url: ..."
_HTTP_ERROR = re.compile(r"^(\d{3}) (?:Client|Server) Error\b")
#: client errors that say "try again later" rather than "gone"
_TRANSIENT_4XX = frozenset({408, 425, 429})


def http_status(info: str) -> int | None:
    """The HTTP status code in a linkcheck error message, when it names one."""
    found = _HTTP_ERROR.match(info or "")
    return int(found.group(1)) if found else None


def is_cacheable(status: str, info: str = "") -> bool:
    """Whether a linkcheck result is lasting enough to reuse on later runs."""
    if status in _LASTING:
        return True
    if status != "broken":
        return False  # timeout, rate-limited, ignored, unchecked
    if info.startswith("Anchor ") and info.endswith(" not found"):
        return True
    if info == "unauthorized":
        return True
    code = http_status(info)
    return code is not None and 400 <= code < 500 and code not in _TRANSIENT_4XX


def expires_at(uri: str, checked: float, ttl_days: float) -> float:
    """When a result for ``uri`` checked at ``checked`` (epoch seconds) stops being fresh."""
    fraction = int(hashlib.sha1(uri.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    return checked + ttl_days * DAY * (1.0 - SPREAD * fraction)


@dataclass(frozen=True, slots=True)
class LinkResult:
    """One cached check of one URL."""

    status: str
    code: int
    info: str
    #: when it was checked, epoch seconds
    checked: float
    #: whether the anchor (``#fragment``) was checked too
    anchors: bool = False

    def to_json(self) -> dict:
        data = asdict(self)
        data["checked"] = dt.datetime.fromtimestamp(self.checked, dt.UTC).isoformat(
            timespec="seconds"
        )
        return data

    @classmethod
    def from_json(cls, data: dict) -> LinkResult:
        checked = dt.datetime.fromisoformat(data["checked"])
        if checked.tzinfo is None:
            checked = checked.replace(tzinfo=dt.UTC)
        return cls(
            status=str(data["status"]),
            code=int(data.get("code", 0)),
            info=str(data.get("info", "")),
            checked=checked.timestamp(),
            anchors=bool(data.get("anchors", False)),
        )


class LinkCache:
    """Link check results by URI, loaded from and saved to one JSON file."""

    def __init__(self, path: Path | None, ttl_days: float = DEFAULT_TTL_DAYS):
        self.path = path
        self.ttl_days = max(float(ttl_days), 0.0)
        self.links: dict[str, LinkResult] = {}
        #: set by :meth:`load` when the file existed but could not be read
        self.problem: Problem | None = None

    @classmethod
    def load(cls, path: Path, ttl_days: float = DEFAULT_TTL_DAYS) -> LinkCache:
        """The cache in ``path``; empty when the file is missing or unreadable.

        An unreadable file is not an error (it is only a cache): :attr:`problem`
        describes it and the next :meth:`save` replaces it.
        """
        cache = cls(path, ttl_days)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cache
        except OSError as err:
            cache.problem = _unreadable(path, str(err))
            return cache
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
                raise ValueError(f"not a version {CACHE_VERSION} link cache")
            cache.links = {
                str(uri): LinkResult.from_json(entry) for uri, entry in data["links"].items()
            }
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            cache.links = {}
            line = err.lineno if isinstance(err, json.JSONDecodeError) else None
            cache.problem = _unreadable(path, str(err), line)
        return cache

    def fresh(
        self, uri: str, now: float | None = None, *, anchors: bool = False
    ) -> LinkResult | None:
        """The cached result for ``uri`` if it is still fresh at ``now``.

        ``anchors=True`` asks for a result that checked the URI's ``#fragment``; a
        result checked without anchors does not answer it.
        """
        found = self.links.get(uri)
        if found is None or self.ttl_days <= 0:
            return None
        if anchors and "#" in uri and not found.anchors:
            return None
        now = time.time() if now is None else now
        if found.checked > now or now >= expires_at(uri, found.checked, self.ttl_days):
            return None
        return found

    def record(
        self,
        uri: str,
        status: str,
        code: int = 0,
        info: str = "",
        *,
        now: float | None = None,
        anchors: bool = False,
    ) -> bool:
        """Store a fresh check of ``uri``; return whether it was cacheable.

        A result that is not cacheable removes what was cached: the old result
        was stale (or it would not have been re-checked) and is now contradicted.
        """
        if not is_cacheable(status, info):
            self.links.pop(uri, None)
            return False
        checked = time.time() if now is None else now
        self.links[uri] = LinkResult(status, int(code), info, checked, anchors)
        return True

    def broken(self) -> dict[str, LinkResult]:
        """Every URI whose last cached check found it broken, fresh or not."""
        return {uri: r for uri, r in self.links.items() if r.status == "broken"}

    def prune(self, keep: set[str], now: float | None = None) -> int:
        """Drop stale results of URIs not in ``keep``; return how many went."""
        now = time.time() if now is None else now
        gone = [
            uri
            for uri, r in self.links.items()
            if uri not in keep and now >= expires_at(uri, r.checked, self.ttl_days)
        ]
        for uri in gone:
            del self.links[uri]
        return len(gone)

    def save(self) -> None:
        """Write the cache atomically (temporary file in the same folder, then rename)."""
        if self.path is None:
            return
        data = {
            "version": CACHE_VERSION,
            "links": {uri: self.links[uri].to_json() for uri in sorted(self.links)},
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False, indent=1)
                out.write("\n")
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _unreadable(path: Path, why: str, line: int | None = None) -> Problem:
    return Problem(
        "linkcache",
        f"link-check cache could not be read ({why}); starting with an empty cache",
        path=str(path),
        line=line,
        hint="nothing to do: the next link check rewrites it (or delete the file)",
        severity="warning",
    )
