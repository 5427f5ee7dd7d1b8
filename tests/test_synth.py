"""The synthetic corpus generator: deterministic, shaped like the corpus, and parseable."""

from __future__ import annotations

import collections
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from roundup_kb import validate
from roundup_kb.cli import main as cli
from roundup_kb.names import NameRegistry
from roundup_kb.synth import MAX_ITEMS, MIN_ITEMS, generate_corpus, generate_issue, write_corpus
from roundup_kb.topics import TopicRegistry
from roundup_kb.validate import PARALLEL_FROM, validate_paths

TOPICS = TopicRegistry.load(ROOT / "docs" / "registry" / "topics.yaml")
NAMES = NameRegistry.load(ROOT / "docs" / "registry" / "names.yaml")


@pytest.fixture(scope="module")
def corpus():
    return generate_corpus(150, TOPICS, seed=0)


def test_same_seed_same_bytes_different_seed_different_pages():
    first = [i.text for i in generate_corpus(6, TOPICS, seed=5)]
    assert first == [i.text for i in generate_corpus(6, TOPICS, seed=5)]
    other = [i.text for i in generate_corpus(6, TOPICS, seed=6)]
    assert all(a != b for a, b in zip(first, other, strict=True))


def test_an_issue_does_not_depend_on_the_corpus_size():
    small = generate_corpus(3, TOPICS, seed=2)
    large = generate_corpus(8, TOPICS, seed=2, start=1)
    assert [i.text for i in small] == [i.text for i in large[:3]]
    assert generate_issue(7, TOPICS, seed=2).text == large[6].text
    assert generate_corpus(2, TOPICS, seed=2, start=7)[0].text == large[6].text


def test_output_is_identical_across_processes_and_hash_seeds(tmp_path):
    """No set or dict-hash order leaks into the pages: two interpreters write the same bytes."""
    outputs = []
    for hash_seed in ("1", "2"):
        dest = tmp_path / hash_seed
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        result = subprocess.run(
            [sys.executable, "-m", "roundup_kb.cli", "synth", "4", "--dest", str(dest)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        outputs.append({p.name: p.read_bytes() for p in sorted(dest.iterdir())})
    assert outputs[0] == outputs[1]
    assert sorted(outputs[0]) == ["0001.md", "0002.md", "0003.md", "0004.md"]
    expected = {f"{i.number:04d}.md": i.text.encode() for i in generate_corpus(4, TOPICS)}
    assert outputs[0] == expected


def test_front_matter_is_the_issue_page_form():
    text = generate_issue(94, TOPICS, seed=0).text
    lines = text.split("\n")
    assert lines[0] == "---"
    assert lines[1] == "number: 94"
    assert lines[2] == "title: '#94 - 22 Oct 2021'"
    assert lines[3].startswith("subtitle: '") or lines[3] == "date: 2021-10-22"
    assert "date: 2021-10-22" in lines[3:5]


def test_pages_validate_without_problems_and_parse_back_to_what_was_generated(tmp_path):
    paths = write_corpus(tmp_path, 60, TOPICS, seed=11)
    issues, problems = validate_paths([tmp_path], TOPICS, NAMES)
    assert problems == []
    assert len(issues) == len(paths) == 60
    generated = {i.number: i for i in generate_corpus(60, TOPICS, seed=11)}
    for issue in issues:
        items = generated[issue.meta.number].items
        assert len(issue.entries) == len(items)
        for entry, item in zip(issue.entries, items, strict=True):
            got = (entry.title, entry.url, entry.kind, entry.topic, entry.authors, entry.venue)
            want = (item.title, item.url, item.kind, item.topic, item.authors, item.venue)
            assert got == want, f"{issue.path}:{entry.line}"
            assert entry.et_al == item.et_al


def _awkward_corpus(dest: Path) -> None:
    """Synthetic pages and, among them, pages with problems of every kind."""
    write_corpus(dest, PARALLEL_FROM + 9, TOPICS, seed=5)
    pages = sorted(dest.glob("*.md"))
    with pages[3].open("a", encoding="utf-8") as page:  # after the topics: an unknown one
        page.write("\n## Cats and Dogs\n\n[Cats](https://example.org/cats) - Felix Cat\n")
    pages[20].write_bytes(b"---\nnumber: 21\n---\n\xff\xfe not UTF-8\n")  # unreadable
    (dest / "0999.md").write_text(pages[30].read_text(encoding="utf-8"), encoding="utf-8")
    pages[31].write_text("no front matter at all\n", encoding="utf-8")


def test_checking_in_processes_gives_what_one_process_gives(tmp_path):
    _awkward_corpus(tmp_path)
    alone = validate_paths([tmp_path], TOPICS, NAMES)
    assert {p.code for p in alone[1]} >= {"unknown_topic", "unreadable", "duplicate_number"}
    for jobs in (2, 3):
        assert validate_paths([tmp_path], TOPICS, NAMES, jobs=jobs) == alone


def test_where_processes_cannot_start_the_pages_are_checked_here(tmp_path, monkeypatch):
    _awkward_corpus(tmp_path)
    alone = validate_paths([tmp_path], TOPICS, NAMES)

    class NoProcesses:
        def __init__(self, *args, **kwargs):
            raise OSError("no semaphores here")

    monkeypatch.setattr(validate, "ProcessPoolExecutor", NoProcesses)
    assert validate_paths([tmp_path], TOPICS, NAMES, jobs=2) == alone


def test_item_counts_are_in_range_and_spread_like_the_corpus(corpus):
    counts = [len(issue.items) for issue in corpus]
    assert all(MIN_ITEMS <= n <= MAX_ITEMS for n in counts)
    assert 13 <= statistics.median(counts) <= 18  # the corpus: 15
    assert len(set(counts)) >= 10


def test_pages_have_every_item_form(corpus):
    kinds = collections.Counter(item.kind for issue in corpus for item in issue.items)
    assert set(kinds) == {"article", "tool", "event", "call", "job"}
    assert kinds["article"] / sum(kinds.values()) > 0.8
    text = "\n".join(issue.text for issue in corpus)
    assert "<br/>\n[" in text  # <br/> groups
    assert "*et al.*" in text
    assert "\n----------\n" in text
    assert "\n> " in text and "\n- " in text and "\n1. " in text and "![" in text
    assert "newsletter_issues/" in text  # links to earlier issues
    headings = {line[3:] for line in text.split("\n") if line.startswith("## ")}
    titles = {topic.title for topic in TOPICS.topics}
    aliases = {alias for topic in TOPICS.topics for alias in topic.aliases}
    assert len(headings & titles) >= 12
    assert headings & aliases


def test_authors_and_venues_are_skewed(corpus):
    authors = collections.Counter(
        name for issue in corpus for item in issue.items if not item.et_al for name in item.authors
    )
    counts = sorted(authors.values(), reverse=True)
    total = sum(counts)
    # uniform draws over the 4,000-name pool would give a top count of about 5
    assert counts[0] >= 12
    assert sum(counts[: len(counts) // 100]) / total >= 0.05
    assert sum(1 for c in counts if c == 1) / len(counts) >= 0.6  # a long tail
    venues = collections.Counter(i.venue for issue in corpus for i in issue.items if i.venue)
    top, *rest = sorted(venues.values(), reverse=True)
    assert top >= 5 * statistics.median(rest)


def test_commentary_length_is_near_the_corpus(corpus, tmp_path):
    write_corpus(tmp_path, 80, TOPICS, seed=0)
    issues, _ = validate_paths([tmp_path], TOPICS, NAMES)
    groups = {e.group: len(e.commentary) for i in issues for e in i.entries}
    median = statistics.median(groups.values())
    assert 550 <= median <= 950  # the corpus: 733


def test_write_refuses_to_overwrite_a_different_page(tmp_path, capsys):
    dest = tmp_path / "issues"
    assert cli(["synth", "3", "--dest", str(dest)]) == 0
    assert "wrote 3 synthetic issue pages" in capsys.readouterr().out
    before = {p.name: p.read_bytes() for p in dest.iterdir()}
    assert cli(["synth", "3", "--dest", str(dest)]) == 0  # same pages again: fine
    assert cli(["synth", "3", "--dest", str(dest), "--seed", "9"]) == 1
    err = capsys.readouterr().err
    assert "0001.md: error: a different page is already there" in err
    assert "--force" in err
    assert {p.name: p.read_bytes() for p in dest.iterdir()} == before
    assert cli(["synth", "3", "--dest", str(dest), "--seed", "9", "--force"]) == 0
    assert (dest / "0001.md").read_bytes() != before["0001.md"]
    assert sorted(p.name for p in dest.iterdir()) == ["0001.md", "0002.md", "0003.md"]


def test_start_number_and_usage_errors(tmp_path, capsys):
    dest = tmp_path / "issues"
    assert cli(["synth", "2", "--dest", str(dest), "--start-number", "189"]) == 0
    assert sorted(p.name for p in dest.iterdir()) == ["0189.md", "0190.md"]
    assert (dest / "0189.md").read_text() == generate_issue(189, TOPICS).text
    assert cli(["synth", "-1", "--dest", str(dest)]) == 2
    assert cli(["synth", "2", "--dest", str(dest), "--start-number", "0"]) == 2
    assert cli(["synth", "2"]) == 2
    assert "--dest" in capsys.readouterr().err


def test_unwritable_destination_is_an_error_and_writes_nothing(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert cli(["synth", "2", "--dest", str(blocker / "issues")]) == 1
    assert "cannot write the pages" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


@pytest.mark.sphinx
def test_a_small_synthetic_project_builds_under_W(make_site):
    site = make_site()
    issues = generate_corpus(8, TOPICS, seed=3)
    write_corpus(site.root / "issues", 8, TOPICS, seed=3)
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]
    result = subprocess.run(
        [*command, str(site.root), str(site.out)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    assert result.stderr == ""
    data = json.loads((site.out / "entries.json").read_text(encoding="utf-8"))
    assert len(data["entries"]) == sum(len(i.items) for i in issues)
    assert {e["url"] for e in data["entries"]} == {it.url for i in issues for it in i.items}
    assert (site.out / "issues" / "0008.html").exists()
    assert Path(site.out / "docs" / "topics" / "managing-teams.html").exists()
