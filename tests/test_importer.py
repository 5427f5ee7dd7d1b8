"""The importer: Jekyll posts to issue pages, mends, provenance, and every error."""

from __future__ import annotations

import datetime as dt
import os
import textwrap
from pathlib import Path

import pytest

from conftest import FIXTURES, corpus_dir
from roundup_kb.config import load_project_config
from roundup_kb.frontmatter import split_front_matter
from roundup_kb.importer import (
    convert_post,
    date_from_text,
    find_sources,
    mend_body,
    page_provenance,
    plan_import,
    read_post,
    write_pages,
)
from roundup_kb.pages import read_issue_page
from roundup_kb.problems import RoundupError

POSTS = FIXTURES / "jekyll" / "posts"
BAD = FIXTURES / "jekyll" / "bad"
SITE = "https://www.researchcomputingteams.org"


def convert(name: str):
    path = POSTS / name
    return convert_post(read_post(path), path, SITE)


def front(text: str) -> dict:
    return split_front_matter(text, "page.md").data


def body(text: str) -> str:
    return split_front_matter(text, "page.md").body


def mends(page) -> list[tuple[int, str]]:
    return [(m.line, m.message) for m in page.mends]


def problems(excinfo) -> list[str]:
    return [p.format() for p in excinfo.value.problems]


def mend(text: str, first_line: int = 1, prefix: str = "issue-0001-"):
    """Mend a body given as an indented block; return (text, [(line, message)])."""
    out, found = mend_body(textwrap.dedent(text), first_line, SITE, prefix)
    return out, [(m.line, m.message) for m in found]


# ------------------------------------------------------------------- front matter


def test_front_matter_in_order_with_subtitle_and_provenance():
    page = convert("2021-10-01-issue-94.md")
    data = front(page.text)
    assert list(data) == ["number", "title", "subtitle", "date", "hero-img", "imported"]
    assert data["number"] == 94 and page.name == "0094.md"
    assert data["title"] == "#94 - 1 Oct 2021"
    assert data["subtitle"] == "Informal leadership; Career paths; Low-code contributions"
    assert data["date"] == dt.date(2021, 10, 1)
    assert data["imported"]["source"] == "2021-10-01-issue-94.md"
    assert data["imported"]["digest"].startswith("sha256:")
    assert "layout" not in data


def test_page_reads_as_an_issue_page():
    meta, _ = read_issue_page(convert("2021-10-01-issue-94.md").text, "0094.md")
    assert (meta.number, meta.date, meta.slug) == (94, dt.date(2021, 10, 1), "0094")


def test_link_roundup_title_without_subtitle():
    data = front(convert("2020-01-10-link-roundup.md").text)
    assert list(data) == ["number", "title", "date", "imported"]
    assert data["title"] == "#1 - Link Roundup, 10 Jan 2020"


def test_headline_in_title_kept_as_written():
    data = front(convert("2025-03-02-headline.md").text)
    assert data["number"] == 188
    assert data["title"] == "#188 - 2 Mar 2025 - Immediate next steps for managers"
    assert data["date"] == dt.date(2025, 3, 2)


def test_missing_date_is_read_from_title():
    data = front(convert("2020-02-07-link-roundup.md").text)
    assert data["date"] == dt.date(2020, 2, 7)


@pytest.mark.parametrize(
    ("title", "date"),
    [
        ("#1 - Link Roundup, 10 Jan 2020", dt.date(2020, 1, 10)),
        ("#5 - Link Roundup, Feb 7 2020", dt.date(2020, 2, 7)),
        ("#40 - Link Roundup, 4 Sept 2020", dt.date(2020, 9, 4)),
        ("#58 - 22 January 2021", dt.date(2021, 1, 22)),
        ("#14 - Link Roundup, 13 Mar 2020 (well, 16 Mar 2020)", dt.date(2020, 3, 13)),
        ("#188 - 2 Mar 2025 - Immediate next steps", dt.date(2025, 3, 2)),
        ("#7 - Why Research Computing Management?  Part 1", None),
        ("#73 -  May 2021", None),
    ],
)
def test_date_from_title(title, date):
    assert date_from_text(title) == date


def test_hero_image_into_old_site_made_absolute():
    page = convert("2021-10-01-issue-94.md")
    assert front(page.text)["hero-img"] == f"{SITE}/assets/images/issues/informal_leaders_sm.png"
    assert (6, "made hero-img /assets/images/issues/informal_leaders_sm.png absolute") in mends(
        page
    )


# ------------------------------------------------------------------------- body


def test_body_kept_as_written_when_nothing_needs_mending():
    page = convert("2020-02-07-link-roundup.md")
    source = split_front_matter(read_post(POSTS / "2020-02-07-link-roundup.md"), "x").body
    assert page.mends == ()
    assert body(page.text) == source
    # <br/>-grouped items stay grouped
    assert "Example Ops Blog <br/>\n[Writing runbooks" in page.text


def test_trailing_rule_removed_with_its_line():
    page = convert("2020-01-10-link-roundup.md")
    assert mends(page) == [(31, "removed trailing thematic break")]
    assert page.text.endswith("where they break down.\n")
    # the rule between items stays, and so do setext underlines
    assert "\n----------\n\n[Why one-on-ones" in page.text
    assert "Research Software Development\n-----------------------------\n" in page.text


def test_rules_docutils_refuses_are_removed():
    page = convert("2021-10-01-issue-94.md")
    assert [m for m in mends(page) if "thematic" in m[1]] == [
        (19, "removed thematic break at the start of a section"),
        (27, "removed thematic break right after another"),
        (38, "removed trailing thematic break"),
    ]
    text = body(page.text)
    assert "## Managing Teams\n\n[Informal" in text
    assert text.count("----------") == 1


def test_rule_under_paragraph_line_is_a_heading_not_a_break():
    text, found = mend(
        """\
        Intro.

        A line of text
        ----------
        """
    )
    assert found == []
    assert text.endswith("A line of text\n----------\n")


def test_rule_kept_when_a_comment_follows_it():
    # docutils only refuses a transition that is the document's last node
    text, found = mend("Text.\n\n----\n<!-- end -->\n")
    assert found == []
    assert text == "Text.\n\n----\n<!-- end -->\n"


def test_rule_at_document_start_removed():
    text, found = mend("\n----------\n\nHi.\n", first_line=6)
    assert found == [(7, "removed thematic break at the start of a section")]
    assert text == "\nHi.\n"


def test_assets_links_and_images_made_absolute():
    page = convert("2021-10-01-issue-94.md")
    assert f"![A sketch of a team org chart]({SITE}/assets/images/issues/informal_leaders.png)" in (
        page.text
    )
    assert f"[a guide to one-on-ones]({SITE}/assets/pdfs/example-guide.pdf)" in page.text
    assert (13, "made link /assets/images/issues/informal_leaders.png absolute") in mends(page)
    assert (15, "made link /assets/pdfs/example-guide.pdf absolute") in mends(page)
    # links elsewhere are left alone
    assert "[the job board](https://www.example.org/jobs/)" in page.text


def test_root_relative_links_in_html_and_definitions():
    text, found = mend(
        """\
        See <img src="/assets/a.png" alt="a"> and [the PDF][pdf].

        `[code](/not/a/link)` stays.

        [pdf]: /assets/b.pdf
        """
    )
    assert f'<img src="{SITE}/assets/a.png"' in text
    assert f"[pdf]: {SITE}/assets/b.pdf" in text
    assert "`[code](/not/a/link)`" in text
    assert [line for line, _ in found] == [1, 5]


def test_code_blocks_left_alone():
    source = "```markdown\n![x](/assets/x.png)\n\n----\n```\n"
    assert mend(source) == (source, [])


def test_heading_levels_lifted_and_siblings_stay_siblings():
    page = convert("2025-03-02-headline.md")
    text = body(page.text)
    assert "\n## Write down what you know\n" in text
    assert (10, "heading level 3 skips a level: made it level 2 (### to ##)") in mends(page)
    text, found = mend("### One\n\nA.\n\n### Two\n\n#### Two.a\n\n## Three\n")
    assert text == "## One\n\nA.\n\n## Two\n\n### Two.a\n\n## Three\n"
    assert [line for line, _ in found] == [1, 5, 7]


def test_html_anchor_becomes_unique_myst_target_and_links_follow():
    page = convert("2025-03-02-headline.md")
    text = body(page.text)
    assert "[skip to the roundup](#issue-0188-roundup)" in text
    assert "(issue-0188-roundup)=\n\n## Managing Teams" in text
    assert '<a id="roundup">' not in text
    assert (8, "pointed link #roundup at #issue-0188-roundup") in mends(page)
    assert (
        24,
        'replaced HTML anchor <a id="roundup"> with MyST target (issue-0188-roundup)=',
    ) in mends(page)


def test_inline_html_anchor_keeps_its_text():
    text, found = mend(
        """\
        [Skip ahead](#roundup).

        And now, <a id="roundup">the roundup</a>!

        ## <a name="#jobs">Jobs</a>

        Or [jobs](#jobs).
        """
    )
    assert "(issue-0001-roundup)=\nAnd now, the roundup!\n" in text
    assert "(issue-0001-jobs)=\n## Jobs\n" in text
    assert "[Skip ahead](#issue-0001-roundup)" in text
    assert [line for line, _ in found] == [1, 3, 5, 7]


def test_anchor_nobody_links_to_is_left_alone():
    source = 'Hi <a href="#x">skip</a>.\n\n<a name="x"></a>\n'
    assert mend(source) == (source, [])


def test_liquid_resolved_or_removed_and_reported():
    page = convert("2021-02-05-liquid.md")
    text = body(page.text)
    assert f"[on the site]({SITE}/assets/slides/talk.pdf)" in text
    assert f"[the ebook]({SITE}/assets/pdfs/ebook.pdf)" in text
    assert f"Read it at {SITE}/newsletter" in text
    assert "Templates look like `{{ name }}` in Jinja too." in text
    assert "{%" not in text and "Remember" not in text and "{{ page" not in text
    assert "\n\n\n" not in text
    assert mends(page) == [
        (7, "removed Liquid tag {% include email-header.html %}"),
        (8, "replaced Liquid {{ site.baseurl }} with the site URL"),
        (
            9,
            "replaced Liquid {{ '/assets/pdfs/ebook.pdf' | relative_url }} with "
            f"{SITE}/assets/pdfs/ebook.pdf",
        ),
        (11, "removed Liquid comment (lines 11-13)"),
        (15, "removed Liquid {% raw %} tags, kept what they held"),
        (19, "replaced Liquid {{ site.url }}{{ site.baseurl }} with the site URL"),
        (19, "removed Liquid output {{ page.author }}"),
    ]


def test_liquid_tag_removal_keeps_later_line_numbers():
    _, found = mend("{% if a %}\nText.\n{% endif %}\n\n----\n", first_line=5)
    assert found == [
        (5, "removed Liquid tag {% if a %}"),
        (7, "removed Liquid tag {% endif %}"),
        (9, "removed trailing thematic break"),
    ]


# ------------------------------------------------------------------ provenance


def test_provenance_detects_edits():
    text = convert("2021-10-01-issue-94.md").text
    assert page_provenance(text) == "imported"
    assert page_provenance(text.replace("Happy October!", "Happy November!")) == "edited"
    assert page_provenance(text.replace("number: 94", "number: 95")) == "edited"
    without_record = "\n".join(line for line in text.split("\n") if "digest:" not in line)
    assert page_provenance(without_record) == "hand-written"
    assert page_provenance("# A page\n") == "hand-written"


def test_conversion_is_deterministic():
    assert convert("2021-10-01-issue-94.md").text == convert("2021-10-01-issue-94.md").text


# ------------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("no-front-matter.md", "no-front-matter.md:1: error: no front matter"),
        ("not-yaml.md", "not-yaml.md:5: error: front matter is not valid YAML"),
        ("no-number.md", "no-number.md:2: error: title 'Link Roundup, 24 Jan 2020' has no issue"),
        ("bad-date.md", "bad-date.md:4: error: 'date' is not a date: 'the twenty-fourth'"),
        ("no-date.md", "no-date.md:2: error: front matter has no 'date' and the title holds none"),
    ],
)
def test_bad_post_is_an_error_naming_file_and_line(name, expected):
    with pytest.raises(RoundupError) as excinfo:
        convert_post(read_post(BAD / name), BAD / name, SITE)
    [message] = problems(excinfo)
    assert expected in message


def test_impossible_date_names_its_line(tmp_path):
    post = tmp_path / "post.md"
    post.write_text('---\ntitle: "#3 - 24 Jan 2020"\ndate: 2020-13-24\n---\nHi\n')
    with pytest.raises(RoundupError) as excinfo:
        convert_post(read_post(post), post, SITE)
    assert "post.md:3: error: front matter holds an impossible date" in problems(excinfo)[0]


def test_every_problem_of_a_post_reported_together(tmp_path):
    post = tmp_path / "post.md"
    post.write_text('---\ntitle: "Roundup"\ndate: someday\n---\nHi\n')
    with pytest.raises(RoundupError) as excinfo:
        convert_post(read_post(post), post, SITE)
    assert [p.line for p in excinfo.value.problems] == [2, 3]


def test_not_utf8_is_an_error(tmp_path):
    post = tmp_path / "latin1.md"
    post.write_bytes('---\ntitle: "#3 - Café"\n---\n'.encode("latin-1"))
    with pytest.raises(RoundupError) as excinfo:
        read_post(post)
    assert "latin1.md: error: not UTF-8 text" in problems(excinfo)[0]


def test_duplicate_issue_numbers_name_both_files(tmp_path):
    sources = [POSTS / "2021-10-01-issue-94.md", BAD / "duplicate-94.md"]
    with pytest.raises(RoundupError) as excinfo:
        plan_import(sources, tmp_path, SITE)
    [message] = problems(excinfo)
    assert "duplicate-94.md:2: error: issue #94 comes from two posts:" in message
    assert "2021-10-01-issue-94.md and " in message


def test_all_problems_of_all_sources_together_and_nothing_written(tmp_path):
    dest = tmp_path / "issues"
    sources = find_sources([POSTS, BAD])
    with pytest.raises(RoundupError) as excinfo:
        plan_import(sources, dest, SITE)
    named = {Path(p.path).name for p in excinfo.value.problems}
    assert named == {
        "no-front-matter.md",
        "not-yaml.md",
        "no-number.md",
        "bad-date.md",
        "no-date.md",
        # the later of the two posts numbered 94, in the order given
        "duplicate-94.md",
    }
    assert not dest.exists()


def test_missing_source_and_empty_directory(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(RoundupError) as excinfo:
        find_sources([tmp_path / "nope.md", tmp_path / "empty"])
    messages = problems(excinfo)
    assert "nope.md: error: no such file or directory" in messages[0]
    assert "empty: error: directory holds no .md posts" in messages[1]


def test_sources_listed_twice_are_read_once():
    post = POSTS / "2020-01-10-link-roundup.md"
    assert find_sources([post, POSTS, post]).count(post) == 1


# ------------------------------------------------------------------ writing


def test_import_writes_then_is_unchanged_and_byte_identical(tmp_path):
    sources = find_sources([POSTS])
    plan = plan_import(sources, tmp_path, SITE)
    assert {item.action for item in plan} == {"create"}
    write_pages(plan)
    first = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert sorted(first) == ["0001.md", "0005.md", "0060.md", "0094.md", "0188.md"]
    again = plan_import(sources, tmp_path, SITE)
    assert {item.action for item in again} == {"unchanged"}
    write_pages(again)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == first


def test_unedited_page_is_updated_when_the_import_changes(tmp_path):
    post = POSTS / "2020-01-10-link-roundup.md"
    write_pages(plan_import([post], tmp_path, SITE))
    [item] = plan_import([post], tmp_path, "https://example.org")
    assert item.action == "unchanged"  # nothing in this post depends on the site URL
    post94 = POSTS / "2021-10-01-issue-94.md"
    write_pages(plan_import([post94], tmp_path, SITE))
    [item] = plan_import([post94], tmp_path, "https://example.org")
    assert item.action == "update"


def test_hand_edited_page_refused_unless_forced(tmp_path):
    post = POSTS / "2021-10-01-issue-94.md"
    write_pages(plan_import([post], tmp_path, SITE))
    page = tmp_path / "0094.md"
    edited = page.read_text().replace("Happy October!", "Happy October, all!")
    page.write_text(edited)
    with pytest.raises(RoundupError) as excinfo:
        plan_import([post], tmp_path, SITE)
    [message] = problems(excinfo)
    assert "0094.md: error: page edited by hand since it was imported" in message
    assert "--force" in message
    assert page.read_text() == edited
    [item] = plan_import([post], tmp_path, SITE, force=True)
    assert item.action == "replace"
    write_pages([item])
    assert page_provenance(page.read_text()) == "imported"


def test_page_without_provenance_is_hand_written(tmp_path):
    page = tmp_path / "0094.md"
    page.write_text('---\nnumber: 94\ntitle: "#94"\ndate: 2021-10-01\n---\n\nMine.\n')
    post = POSTS / "2021-10-01-issue-94.md"
    with pytest.raises(RoundupError) as excinfo:
        plan_import([post], tmp_path, SITE)
    assert "page written by hand (it has no import record)" in problems(excinfo)[0]
    assert plan_import([post], tmp_path, SITE, force=True)[0].action == "replace"


def test_one_bad_source_leaves_every_page_alone(tmp_path):
    good = POSTS / "2021-10-01-issue-94.md"
    write_pages(plan_import([good], tmp_path, SITE))
    before = (tmp_path / "0094.md").read_bytes()
    with pytest.raises(RoundupError):
        plan_import([POSTS / "2020-01-10-link-roundup.md", BAD / "no-number.md"], tmp_path, SITE)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0094.md"]
    assert (tmp_path / "0094.md").read_bytes() == before


def test_destination_that_is_a_file(tmp_path):
    dest = tmp_path / "issues"
    dest.write_text("not a directory")
    with pytest.raises(RoundupError) as excinfo:
        plan_import([POSTS / "2020-01-10-link-roundup.md"], dest, SITE)
    assert "destination is not a directory" in problems(excinfo)[0]


def test_write_leaves_no_temporary_files(tmp_path):
    write_pages(plan_import(find_sources([POSTS]), tmp_path, SITE))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# ------------------------------------------------------------------ config


def test_config_defaults_without_pyproject(tmp_path):
    config = load_project_config(tmp_path)
    assert config.root == tmp_path.resolve()
    assert config.issues_dir == tmp_path.resolve() / "issues"
    assert config.site_url == SITE


def test_config_from_nearest_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.roundup-kb]\nissues = "content/issues"\nsite_url = "https://example.org/"\n'
    )
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    config = load_project_config(tmp_path / "sub" / "deeper")
    assert config.root == tmp_path.resolve()
    assert config.issues_dir == tmp_path.resolve() / "content" / "issues"
    assert config.topics_file == tmp_path.resolve() / "docs" / "registry" / "topics.yaml"
    assert config.site_url == "https://example.org"


def test_config_errors_name_the_file(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.roundup-kb]\nissues = 3\n")
    with pytest.raises(RoundupError) as excinfo:
        load_project_config(tmp_path)
    assert "pyproject.toml: error: [tool.roundup-kb] issues must be text" in problems(excinfo)[0]
    (tmp_path / "pyproject.toml").write_text("[tool.roundup-kb\n")
    with pytest.raises(RoundupError) as excinfo:
        load_project_config(tmp_path)
    assert "pyproject.toml:1: error: pyproject.toml is not valid TOML" in problems(excinfo)[0]


# ------------------------------------------------------------------ corpus


@pytest.mark.corpus
def test_whole_corpus_imports_without_errors(tmp_path):
    corpus = corpus_dir()
    sources = find_sources([corpus])
    plan = plan_import(sources, tmp_path, SITE)
    write_pages(plan)
    assert len(list(tmp_path.glob("*.md"))) == len(sources) == len(list(corpus.glob("*.md")))
    for item in plan:
        assert page_provenance(item.page.text) == "imported"
    assert {item.action for item in plan_import(sources, tmp_path, SITE)} == {"unchanged"}


def test_script_elements_removed_and_the_quote_kept():
    text, found = mend(
        '<blockquote class="twitter-tweet"><p>A tweet.</p></blockquote> '
        '<script async src="https://platform.example.com/widgets.js"></script>\n\nAfter.\n',
        first_line=12,
    )
    assert text == '<blockquote class="twitter-tweet"><p>A tweet.</p></blockquote>\n\nAfter.\n'
    assert found == [(12, "removed <script> element: pages run no scripts")]


def test_new_pages_follow_the_umask_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        write_pages(plan_import([POSTS / "2020-01-10-link-roundup.md"], tmp_path, SITE))
    finally:
        os.umask(old)
    assert (tmp_path / "0001.md").stat().st_mode & 0o777 == 0o644
