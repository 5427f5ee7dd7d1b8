"""The topic registry: canonical topics and every heading written for them.

``docs/registry/topics.yaml`` is the one file contributors edit to add a topic or
teach the parser a new heading.  Headings match their aliases case- and
punctuation-insensitively (smart quotes, "&" vs "and", trailing "…" do not
matter).  Sections that are not part of the roundup (the editor's essay, "That's
it…", "About This Newsletter") are listed under ``sections: ignore:``.
"""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from roundup_kb.frontmatter import parse_yaml
from roundup_kb.model import KINDS, Topic
from roundup_kb.problems import Problem, RoundupError, display_path

_TAG = re.compile(r"<[^>]*>")
_SLUG = re.compile(r"^[a-z][a-z0-9-]*$")


def heading_key(heading: str) -> str:
    """The comparison key of a heading: no markup or tags, case-folded, letters and digits only."""
    text = html.unescape(_TAG.sub("", heading))
    text = unicodedata.normalize("NFKC", text).replace("&", " and ")
    return "".join(c for c in text.casefold() if c.isalnum())


@dataclass(slots=True)
class TopicRegistry:
    """Canonical topics, in their display order, and the sections that are not roundup topics."""

    topics: tuple[Topic, ...] = ()
    #: headings of non-roundup sections (intro, essay, sign-off), as written in the file
    ignored: tuple[str, ...] = ()
    #: unregistered headings before an issue's first topic heading are its essay
    essays_before_first_topic: bool = True
    #: the YAML file, for hints
    source: str | None = None
    _by_key: dict[str, Topic] = field(default_factory=dict, repr=False)
    _ignored: frozenset[str] = field(default_factory=frozenset, repr=False)
    _by_slug: dict[str, Topic] = field(default_factory=dict, repr=False)
    #: resembles_topic() answers by heading key: the same essay headings recur in every issue
    _resembles: dict[tuple[str, float], bool] = field(default_factory=dict, repr=False)
    #: one SequenceMatcher per heading variant, made on first use: a matcher indexes its
    #: second sequence when given it, so each variant is indexed once, not per heading
    _matchers: list[tuple[difflib.SequenceMatcher, Topic]] = field(
        default_factory=list, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for topic in self.topics:
            self._by_slug[topic.slug] = topic
            for variant in (topic.title, *topic.aliases):
                self._by_key.setdefault(heading_key(variant), topic)
        self._ignored = frozenset(heading_key(h) for h in self.ignored)

    # -- loading -------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> TopicRegistry:
        """Read ``topics.yaml``; raise :class:`RoundupError` with file:line when it is wrong."""
        text = Path(path).read_text(encoding="utf-8")
        data = parse_yaml(text, str(path), "topics_registry", "topic registry")
        return cls.from_data(data, str(path), text)

    @classmethod
    def from_data(
        cls, data: Mapping[str, Any] | None, source: str | None = None, text: str = ""
    ) -> TopicRegistry:
        """Build from the parsed YAML mapping; ``text`` (the file) only improves error lines."""

        def fail(message: str, needle: str = "", hint: str | None = None) -> RoundupError:
            line = 1
            if needle and text:
                for number, row in enumerate(text.splitlines(), start=1):
                    if needle in row:
                        line = number
                        break
            return RoundupError(Problem("topics_registry", message, source, line, hint=hint))

        if not isinstance(data, Mapping) or not isinstance(data.get("topics"), list):
            raise fail(
                "the topic registry must be a mapping with a 'topics' list",
                hint="start the file with 'topics:' and one '- slug: ...' item per topic",
            )
        topics: list[Topic] = []
        seen_keys: dict[str, str] = {}
        for item in data["topics"]:
            if not isinstance(item, Mapping) or not isinstance(item.get("slug"), str):
                raise fail(
                    f"each topic needs a 'slug', not {item!r}",
                    hint="write '- slug: managing-teams'",
                )
            slug = item["slug"]
            if not _SLUG.match(slug):
                raise fail(
                    f"topic slug {slug!r} must be lower-case letters, digits and '-'",
                    f"slug: {slug}",
                )
            if slug in {t.slug for t in topics}:
                raise fail(f"topic slug {slug!r} is used twice", f"slug: {slug}")
            kind = item.get("kind", "article")
            if kind not in KINDS:
                raise fail(
                    f"topic {slug!r} has kind {kind!r}; kinds are {', '.join(KINDS)}",
                    f"slug: {slug}",
                )
            aliases = tuple(str(a) for a in item.get("aliases") or ())
            terms = item.get("terms") or {}
            if not isinstance(terms, Mapping):
                raise fail(
                    f"'terms' of topic {slug!r} must be a mapping of term: definition",
                    f"slug: {slug}",
                )
            topic = Topic(
                slug=slug,
                title=str(item.get("title") or slug),
                description=str(item.get("description") or "").strip(),
                kind=kind,
                aliases=aliases,
                terms={str(k): str(v).strip() for k, v in terms.items()},
            )
            for variant in (topic.title, *aliases):
                key = heading_key(variant)
                if key in seen_keys and seen_keys[key] != slug:
                    raise fail(
                        f"heading {variant!r} is an alias of both {seen_keys[key]!r} and {slug!r}",
                        variant,
                    )
                seen_keys[key] = slug
            topics.append(topic)
        sections = data.get("sections") or {}
        if not isinstance(sections, Mapping):
            raise fail("'sections' must be a mapping with an 'ignore' list", "sections:")
        ignored = tuple(str(h) for h in sections.get("ignore") or ())
        for heading in ignored:
            if heading_key(heading) in seen_keys:
                raise fail(
                    f"heading {heading!r} is both ignored and an alias of "
                    f"{seen_keys[heading_key(heading)]!r}",
                    heading,
                )
        return cls(
            topics=tuple(topics),
            ignored=ignored,
            essays_before_first_topic=bool(sections.get("essays_before_first_topic", True)),
            source=source,
        )

    # -- lookups -------------------------------------------------------------

    def knows(self, heading: str) -> bool:
        """True when ``heading`` is a registered topic heading or an ignored section."""
        key = heading_key(heading)
        return key in self._by_key or key in self._ignored

    def resolve(self, heading: str) -> Topic | None:
        """The topic of a section heading (or a topic title or slug-like text).

        ``None`` for a registered non-roundup section *and* for an unknown heading:
        ask :meth:`knows` to tell them apart.
        """
        return self._by_key.get(heading_key(heading))

    def is_ignored(self, heading: str) -> bool:
        """True when ``heading`` is a registered non-roundup section ("That's it…")."""
        return heading_key(heading) in self._ignored

    def get(self, slug: str) -> Topic | None:
        """The topic with this slug, if any."""
        return self._by_slug.get(slug)

    def suggestions(self, heading: str, limit: int = 3) -> list[Topic]:
        """Topics whose headings are closest to ``heading``, best first."""
        scored: dict[str, float] = {}
        for matcher, topic in self._matching(heading_key(heading)):
            ratio = matcher.ratio()
            if ratio > scored.get(topic.slug, 0.0):
                scored[topic.slug] = ratio
        best = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))
        return [self._by_slug[slug] for slug, ratio in best[:limit] if ratio >= 0.6]

    def resembles_topic(self, heading: str, threshold: float = 0.85) -> bool:
        """True when ``heading`` is probably a mistyped topic heading."""
        key = heading_key(heading)
        found = self._resembles.get((key, threshold))
        if found is None:
            # the two quick ratios are upper bounds of ratio(), cheap to compute
            found = self._resembles[key, threshold] = any(
                matcher.real_quick_ratio() >= threshold
                and matcher.quick_ratio() >= threshold
                and matcher.ratio() >= threshold
                for matcher, _ in self._matching(key)
            )
        return found

    def _matching(self, key: str) -> Iterator[tuple[difflib.SequenceMatcher, Topic]]:
        """Each variant's matcher, in registry order, set to compare ``key`` with it."""
        if not self._matchers:
            self._matchers = [
                (difflib.SequenceMatcher(None, "", variant_key), topic)
                for variant_key, topic in self._by_key.items()
            ]
        for matcher, topic in self._matchers:
            matcher.set_seq1(key)
            yield matcher, topic

    def unknown_problem(self, heading: str, path: str | None, line: int | None) -> Problem:
        """The ``unknown_topic`` warning for ``heading``, with a hint saying how to register it."""
        where = display_path(self.source) if self.source else "docs/registry/topics.yaml"
        close = self.suggestions(heading)
        slug = close[0].slug if close else "<topic-slug>"
        hint = (
            f"add it to {where}: under the topic '- slug: {slug}', append "
            f"'- {_yaml_scalar(heading)}' to its 'aliases:' list"
        )
        if close:
            hint += " (closest: " + ", ".join(f"{t.slug} ({t.title})" for t in close) + ")"
        hint += "; or, if it is not a roundup section, add it to 'sections: ignore:'"
        return Problem(
            "unknown_topic",
            f"heading {heading!r} is not a registered topic",
            path,
            line,
            hint=hint,
            severity="warning",
        )


def _yaml_scalar(text: str) -> str:
    """``text`` as a one-line YAML scalar, quoted when it needs to be."""
    return (
        yaml.safe_dump(text, allow_unicode=True, default_flow_style=True, width=10_000)
        .strip()
        .removesuffix("\n...")
        .removesuffix("...")
        .strip()
    )
