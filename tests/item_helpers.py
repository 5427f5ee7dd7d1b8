"""Shared helpers for the link-item engine tests: registries, fixtures and the corpus.

Not a conftest: plain functions the item tests import, so that other test modules
keep their own fixtures.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import time
from pathlib import Path

from roundup_kb.frontmatter import split_front_matter
from roundup_kb.model import Entry, IssueMeta
from roundup_kb.names import NameRegistry
from roundup_kb.pages import parse_date
from roundup_kb.parser import ParseResult, parse_body, parse_issue
from roundup_kb.topics import TopicRegistry

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = ROOT / "docs" / "registry"
ITEMS = Path(__file__).resolve().parent / "fixtures" / "items"
CORPUS = ROOT.parent / "shared" / "corpus" / "research-computing-teams"


@functools.cache
def topics() -> TopicRegistry:
    """The project's topic registry (``docs/registry/topics.yaml``)."""
    return TopicRegistry.load(REGISTRY / "topics.yaml")


@functools.cache
def names() -> NameRegistry:
    """The project's names registry (``docs/registry/names.yaml``)."""
    return NameRegistry.load(REGISTRY / "names.yaml")


def commented_entry(
    id_: str, commentary: str = "", *, number: int = 1, line: int = 1, title: str | None = None
) -> Entry:
    """An entry of issue ``number`` (dated 2022-01-``number``) made by hand, for the
    catalogue's and the domain's tests; its title is its id unless given."""
    return Entry(
        id=id_,
        issue=number,
        date=dt.date(2022, 1, number),
        title=id_ if title is None else title,
        url=f"https://example.org/{number}/{id_}",
        commentary=commentary,
        line=line,
    )


def parse_fixture(name: str) -> ParseResult:
    """Parse ``tests/fixtures/items/<name>.md`` with the project's registries."""
    path = ITEMS / f"{name}.md"
    return parse_issue(path.read_text(encoding="utf-8"), f"items/{name}.md", topics(), names())


def parse_text(text: str, number: int = 300, path: str = "issues/0300.md") -> ParseResult:
    """Parse a page body written inline in a test (no front matter needed)."""
    import datetime as dt

    meta = IssueMeta(number=number, title=f"#{number}", date=dt.date(2023, 1, 6))
    return parse_body(meta, text, 1, path, topics(), names())


def corpus_meta(path: Path, text: str) -> tuple[IssueMeta, str, int]:
    """Jekyll newsletter post -> (meta, body, body_line); the number comes from the file name."""
    front = split_front_matter(text, str(path))
    title = str(front.data.get("title", ""))
    match = re.match(r"#(\d+)", title)
    number = int(match.group(1)) if match else int(path.stem)
    meta = IssueMeta(
        number=number,
        title=title,
        date=parse_date(front.data["date"]),
        subtitle=front.data.get("subtitle"),
    )
    return meta, front.body, front.body_line


@functools.cache
def corpus_results() -> tuple[tuple[ParseResult, ...], float]:
    """Every corpus issue parsed once per test session, and the seconds it took."""
    paths = sorted(CORPUS.glob("*.md"))
    texts = [(path, path.read_text(encoding="utf-8")) for path in paths]
    start = time.perf_counter()
    results = tuple(
        parse_body(*corpus_meta(path, text), str(path), topics(), names()) for path, text in texts
    )
    return results, time.perf_counter() - start


def parse_corpus_file(path: Path) -> ParseResult:
    """Parse one Jekyll corpus issue with the project's registries."""
    text = path.read_text(encoding="utf-8")
    meta, body, body_line = corpus_meta(path, text)
    return parse_body(meta, body, body_line, str(path), topics(), names())


def count_calls(monkeypatch, owner, name: str) -> list[int]:
    """Replace ``owner.name`` (a module's function or a class's method) for the test
    with one that counts its calls: the returned list gets a 1 per call."""
    made: list[int] = []
    original = getattr(owner, name)

    def counting(*args, **kwargs):
        made.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return made
