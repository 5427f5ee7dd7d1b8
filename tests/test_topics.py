"""The topic registry: loading, heading matching, ignored sections, problems."""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from item_helpers import REGISTRY, topics
from roundup_kb.model import KINDS
from roundup_kb.problems import RoundupError
from roundup_kb.topics import TopicRegistry, heading_key


def test_registry_loads_in_display_order():
    registry = topics()
    slugs = [t.slug for t in registry.topics]
    assert slugs[0] == "managing-teams"
    assert len(slugs) == len(set(slugs))
    assert all(t.kind in KINDS for t in registry.topics)
    assert all(t.description.endswith(".") for t in registry.topics), "descriptions are sentences"
    assert registry.source and registry.source.endswith("topics.yaml")


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Managing Teams", "managing-teams"),
        ("Managing Individuals and Teams", "managing-teams"),
        ("Managing Teams and Individuals", "managing-teams"),
        ("MANAGING TEAMS", "managing-teams"),
        ("managing teams:", "managing-teams"),
        ('<a id="#roundup">Managing Teams</a>', "managing-teams"),
        ("Strategy, Positioning, and Marketin", "strategy"),
        ("Strategy, Positioning and Marketing", "strategy"),
        ("Science Policy, Funding, and Research Computing and Data", "science-policy-and-funding"),
        ("Emerging Data & Infrastructure Tools", "emerging-technologies"),
        ("Data and Infastructure Tools", "emerging-technologies"),
        ("Events: Conferences, Training", "events"),
        ("Calls for Papers/Proposals/etc", "calls"),
        ("Jobs leading research computing teams", "jobs"),
        ("Random", "random"),
    ],
)
def test_heading_variants_resolve(heading, slug):
    topic = topics().resolve(heading)
    assert topic is not None and topic.slug == slug


@pytest.mark.parametrize(
    "heading", ["That’s it…", "That's it...", "Thats it", "About This Newsletter"]
)
def test_non_roundup_sections_resolve_to_none(heading):
    assert topics().resolve(heading) is None
    assert topics().knows(heading) and topics().is_ignored(heading)


def test_unknown_heading_raises_and_problem_says_how_to_register():
    registry = topics()
    assert registry.resolve("Managing Cats") is None
    assert not registry.knows("Managing Cats") and not registry.is_ignored("Managing Cats")
    problem = registry.unknown_problem("Managing Cats", "issues/0100.md", 42)
    assert problem.code == "unknown_topic"
    assert problem.type_code == "roundup.unknown_topic"
    assert problem.severity == "warning"
    assert problem.location == "issues/0100.md:42"
    assert "topics.yaml" in problem.hint
    assert "aliases:" in problem.hint and "- Managing Cats" in problem.hint
    assert "slug: managing-teams" in problem.hint  # the closest topic
    assert "sections: ignore:" in problem.hint


def test_suggestions_and_typo_detection():
    registry = topics()
    assert registry.suggestions("Research Computing System")[0].slug == "research-computing-systems"
    assert registry.resembles_topic("Reserch Software Developmnt")
    assert not registry.resembles_topic("Well that escalated quickly")


def _variant_keys(registry: TopicRegistry) -> list[tuple[str, str]]:
    return [
        (heading_key(variant), topic.slug)
        for topic in registry.topics
        for variant in (topic.title, *topic.aliases)
    ]


def _mangled(data, text: str) -> str:
    """``text`` with a few characters dropped, doubled or changed."""
    chars = list(text)
    for _ in range(data.draw(st.integers(0, 4))):
        if not chars:
            break
        at = data.draw(st.integers(0, len(chars) - 1))
        what = data.draw(st.sampled_from(["drop", "double", "change"]))
        if what == "drop":
            del chars[at]
        elif what == "double":
            chars.insert(at, chars[at])
        else:
            chars[at] = data.draw(st.sampled_from("aeiouxyz -"))
    return "".join(chars)


@settings(max_examples=150, deadline=None)
@given(st.data(), st.floats(0.5, 0.95))
def test_typo_detection_is_plain_difflib(data, threshold):
    """The shared matchers and quick bounds answer as a fresh SequenceMatcher per variant."""
    registry = topics()
    first: dict[str, str] = {}  # variant key -> topic, the first topic to claim it
    for variant, slug in _variant_keys(registry):
        first.setdefault(variant, slug)
    base = data.draw(st.sampled_from(sorted(first)) | st.text("abcdefghij mnoprst", max_size=30))
    heading = _mangled(data, base)
    key = heading_key(heading)
    ratios = {variant: difflib.SequenceMatcher(None, key, variant).ratio() for variant in first}
    assert registry.resembles_topic(heading, threshold) == any(
        r >= threshold for r in ratios.values()
    )
    best: dict[str, float] = {}
    for variant, slug in first.items():
        best[slug] = max(best.get(slug, 0.0), ratios[variant])
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
    wanted = [slug for slug, ratio in ranked[:3] if ratio >= 0.6]
    assert [topic.slug for topic in registry.suggestions(heading)] == wanted


def test_heading_key_ignores_quotes_case_and_markup():
    assert heading_key("That’s it…") == heading_key("THAT'S IT...")
    assert heading_key("R&D <em>Computing</em>") == heading_key("r and d computing")


def test_terms_are_available_for_glossaries():
    team = topics().get("managing-teams")
    assert team is not None and "one-on-one" in team.terms


def write(tmp_path, text):
    path = tmp_path / "topics.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("topics:\n  - slug: Bad Slug\n", "lower-case", 2),
        ("topics:\n  - slug: a\n    kind: podcast\n", "kind", 2),
        (
            "topics:\n  - slug: a\n    aliases: [X]\n  - slug: b\n    aliases: [x]\n",
            "alias of both",
            5,
        ),
        ("topics:\n  - slug: a\n  - slug: a\n", "used twice", 2),
        ("topics: [\n", "not valid YAML", 2),
        ("just text\n", "mapping with a 'topics' list", 1),
    ],
)
def test_registry_errors_name_the_line(tmp_path, text, message, line):
    with pytest.raises(RoundupError) as info:
        TopicRegistry.load(write(tmp_path, text))
    problem = info.value.problems[0]
    assert message in problem.message
    assert problem.line == line
    assert problem.path.endswith("topics.yaml")


def test_minimal_registry_defaults(tmp_path):
    registry = TopicRegistry.load(write(tmp_path, "topics:\n  - slug: tools\n"))
    tool = registry.resolve("tools")
    assert tool.title == "tools" and tool.kind == "article"
    assert registry.essays_before_first_topic


def test_project_registry_file_is_where_pyproject_says():
    assert (REGISTRY / "topics.yaml").is_file()
