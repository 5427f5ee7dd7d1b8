"""``roundup-kb new``: the scaffolded page validates and builds once filled in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from roundup_kb.cli import main
from roundup_kb.names import NameRegistry
from roundup_kb.pages import read_issue_page
from roundup_kb.problems import RoundupError
from roundup_kb.scaffold import next_number, write_new_issue
from roundup_kb.topics import TopicRegistry
from roundup_kb.validate import check_page

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def registries():
    return (
        TopicRegistry.load(ROOT / "docs/registry/topics.yaml"),
        NameRegistry.load(ROOT / "docs/registry/names.yaml"),
    )


def test_new_page_has_front_matter_and_every_topic(tmp_path, registries):
    topics, names = registries
    path = write_new_issue(tmp_path, topics, number=189, date=dt.date(2025, 4, 6))
    assert path.name == "0189.md"
    text = path.read_text(encoding="utf-8")
    meta, _ = read_issue_page(text, str(path))
    assert (meta.number, meta.date, meta.title) == (189, dt.date(2025, 4, 6), "#189 - 6 Apr 2025")
    for topic in topics.topics:
        assert f"## {topic.title}\n" in text
    checked = check_page(text, str(path), topics, names)
    assert checked.problems == [] and checked.issue.entries == ()


def test_next_number_follows_the_newest(tmp_path, registries):
    topics, _ = registries
    assert next_number(tmp_path) == 1
    write_new_issue(tmp_path, topics, number=41, date=dt.date(2024, 1, 5))
    assert next_number(tmp_path) == 42
    assert write_new_issue(tmp_path, topics, date=dt.date(2024, 1, 12)).name == "0042.md"


def test_new_refuses_to_overwrite(tmp_path, registries):
    topics, _ = registries
    write_new_issue(tmp_path, topics, number=7, date=dt.date(2024, 1, 5))
    with pytest.raises(RoundupError, match="issue 7 already exists"):
        write_new_issue(tmp_path, topics, number=7, date=dt.date(2024, 1, 5))


def test_cli_new_then_validate(tmp_path, monkeypatch, capsys):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.roundup-kb]\nissues = "issues"\n'
        f'topics = "{ROOT / "docs/registry/topics.yaml"}"\n'
        f'names = "{ROOT / "docs/registry/names.yaml"}"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert main(["new", "--number", "189", "--date", "2025-04-06"]) == 0
    page = tmp_path / "issues" / "0189.md"
    assert "wrote issues/0189.md" in capsys.readouterr().out
    text = page.read_text(encoding="utf-8").replace(
        "## Managing Teams\n",
        "## Managing Teams\n\n[Title](https://example.org/a - Ann Author, Venue\n\nWhy.\n",
    )
    page.write_text(text, encoding="utf-8")
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert "issues/0189.md:" in out and "[roundup.malformed_item]" in out
    assert "hint: close the parenthesis after the URL" in out
    page.write_text(text.replace("/a - Ann", "/a) - Ann"), encoding="utf-8")
    assert main(["validate"]) == 0
    assert "1 pages, 1 entries: 0 errors, 0 warnings" in capsys.readouterr().out
    assert main(["export"]) == 0
    assert '"title": "Title"' in capsys.readouterr().out
