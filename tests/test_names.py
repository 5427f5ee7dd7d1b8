"""Names: normalization, person/organization heuristics, the alias registry, slugs."""

from __future__ import annotations

import unicodedata

import pytest

from item_helpers import names
from roundup_kb.names import (
    NameRegistry,
    clean_text,
    looks_like_organization,
    looks_like_person,
    name_key,
    normalize_name,
    slugify,
)
from roundup_kb.problems import RoundupError


@pytest.mark.parametrize(
    ("raw", "person", "expected"),
    [
        ("  Will   Larson ", True, "Will Larson"),
        ("*Will Larson*", True, "Will Larson"),
        ("**Cindy Sridharan**,", True, "Cindy Sridharan"),
        ("_Dan Luu_.", True, "Dan Luu"),
        ("JANE DOE", True, "Jane Doe"),
        ("jane doe", True, "Jane Doe"),
        ("guido van rossum", True, "Guido van Rossum"),
        ("Daniel S.", True, "Daniel S."),
        ("Dr. Ana Trisovic", True, "Ana Trisovic"),
        ("Jonathan Dursi (me)", True, "Jonathan Dursi"),
        ("Chia-Yen (Chad) Chiu", True, "Chia-Yen (Chad) Chiu"),
        ("Charity Majors>", True, "Charity Majors"),
        ("eLife", False, "eLife"),
        ("HBR.", False, "HBR"),
        ("Inc.", False, "Inc."),
        ("Research Professional News ($$)", False, "Research Professional News"),
        ("R&D Management (2022)", False, "R&D Management"),
        ('"Getting Real"', False, "Getting Real"),
    ],
)
def test_normalize_name(raw, person, expected):
    assert normalize_name(raw, person=person) == expected


def test_normalize_keeps_diacritics_as_nfc():
    decomposed = unicodedata.normalize("NFD", "Melissa Weber Mendonça")
    assert normalize_name(decomposed, person=True) == "Melissa Weber Mendonça"
    assert unicodedata.is_normalized("NFC", normalize_name(decomposed, person=True))


def test_clean_text_drops_invisible_marks_and_fullwidth_commas():
    assert clean_text("Marko Ivanković\u200e") == "Marko Ivanković"
    assert clean_text("Daniel Gruber，Burak Yenier") == "Daniel Gruber, Burak Yenier"
    assert clean_text("David R.Weise") == "David R. Weise"


@pytest.mark.parametrize(
    "name",
    [
        "Will Larson",
        "Chia-Yen (Chad) Chiu",
        "Jennifer D. Nahrgang",
        "Timothy Prickett Morgan",
        "Cathleen O’Grady",
        "Kenton McHenry",
        "D. Scott DeRue",
        "Ben van Werkhoven",
        "Lukáš Linhart",
        "Krešimir Josić",
        "Di Fan",
        "Marie-Ève Monette",
        "Vanessa S.",
    ],
)
def test_people(name):
    assert looks_like_person(name)


@pytest.mark.parametrize(
    "name",
    [
        "HBR",
        "AWS HPC Blog",
        "Software Sustainability Institute",
        "The Next Platform",
        "HuggingFace",
        "LWN.net",
        "Quansight Labs",
        "Google Engineering Practices Documentation",
        "Know Your Team",
        "Universiteit Leiden",
        "Tazi",
    ],
)
def test_not_people(name):
    assert not looks_like_person(name)


@pytest.mark.parametrize(
    "name",
    ["HBR", "AWS HPC Blog", "The New Stack", "HuggingFace", "LWN.net", "Blocks & Files", "PEARC22"],
)
def test_organizations(name):
    assert looks_like_organization(name)


@pytest.mark.parametrize("name", ["Will Larson", "Jacob Kaplan-Moss", "Kenton McHenry", "Mendonça"])
def test_not_organizations(name):
    assert not looks_like_organization(name)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Mendonça", "mendonca"),
        ("Melissa Weber Mendonça", "melissa-weber-mendonca"),
        ("Chia-Yen (Chad) Chiu", "chia-yen-chad-chiu"),
        ("Cathleen O’Grady", "cathleen-ogrady"),
        ("Girl's Guide to PM", "girls-guide-to-pm"),
        ("Girl’s Guide to PM", "girls-guide-to-pm"),
        ("R&D Management", "r-d-management"),
        ("  HPC  Wire ", "hpc-wire"),
    ],
)
def test_slugify(name, slug):
    assert slugify(name) == slug


def test_slugify_never_empty():
    slug = slugify("李华")
    assert slug.startswith("n-") and len(slug) > 2
    assert slugify("李华") != slugify("王芳")


def test_name_key_ignores_spacing_case_punctuation_and_the():
    assert name_key("HPC Wire") == name_key("HPCwire") == name_key("hpc-wire")
    assert name_key("The Next Platform") == name_key("Next Platform")
    assert name_key("Blocks & Files") == name_key("Blocks and Files")


def test_project_registry_merges_real_variants():
    registry = names()
    assert (
        registry.venue("HPC Wire")
        == registry.venue("HPCWire")
        == registry.venue("HPCwire")
        == "HPCwire"
    )
    assert registry.venue("Next Platform") == "The Next Platform"
    assert registry.venue("HBR") == "Harvard Business Review"
    assert registry.venue("Quantsight Labs") == "Quansight Labs"
    assert registry.person("Gergely Orsoz") == "Gergely Orosz"
    assert registry.person("jade rubik") == "Jade Rubick"
    assert registry.is_venue("Ars Technica") and not registry.is_person("Ars Technica")
    # unregistered names come back normalized
    assert registry.venue("  Some  Blog ") == "Some Blog"
    assert registry.person("JANE DOE") == "Jane Doe"


def test_registry_from_data_accepts_strings_and_mappings():
    registry = NameRegistry.from_data(
        {"venues": ["Plain Venue", {"name": "Canon", "aliases": "Alias"}], "people": None}
    )
    assert registry.is_venue("plain venue")
    assert registry.venue("alias") == "Canon"
    assert NameRegistry.empty().venue("X") == "X"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("venues: nope\n", "'venues' must be a list"),
        ("venues:\n  - {aliases: [x]}\n", "mapping with 'name'"),
        ("venues: [\n", "not valid YAML"),
        ("- a list\n", "must be a mapping"),
    ],
)
def test_registry_errors(tmp_path, text, message):
    path = tmp_path / "names.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RoundupError) as info:
        NameRegistry.load(path)
    assert message in info.value.problems[0].message
    assert info.value.problems[0].code == "names_registry"
