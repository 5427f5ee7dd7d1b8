"""Docutils settings made once per build: each document still gets its own copy."""

from __future__ import annotations

import pytest
from docutils.readers import standalone

from conftest import issue_page
from roundup_kb.sphinxext import docsettings


class _Parser:
    settings_spec = ("A parser", None, ())


def _counting():
    calls = []

    def original(*components, defaults, read_config_files=False):
        from docutils.frontend import get_default_settings

        calls.append(components)
        settings = get_default_settings(standalone.Reader)
        for name, value in defaults.items():
            setattr(settings, name, value)
        return settings

    return calls, original


def test_each_call_gets_a_copy_with_its_own_dependency_list():
    calls, original = _counting()
    get = docsettings.cached_settings(original)
    one = get(standalone.Reader, _Parser(), defaults={"env": None, "locales": []})
    two = get(standalone.Reader, _Parser(), defaults={"env": None, "locales": []})
    assert len(calls) == 1  # a new parser instance of the same class: the same settings
    assert one is not two and vars(one).keys() == vars(two).keys()
    assert one.record_dependencies is not two.record_dependencies
    one.record_dependencies.add("snippet.md")
    assert two.record_dependencies.list == []
    one._source = "a.md"
    assert getattr(two, "_source", None) != "a.md"
    get(standalone.Reader, _Parser(), defaults={"env": None, "locales": ["x"]})
    get(standalone.Reader, defaults={"env": None, "locales": []}, read_config_files=True)
    assert len(calls) == 3  # other defaults, other arguments: made again


def test_a_component_with_a_spec_of_its_own_is_not_cached():
    calls, original = _counting()
    get = docsettings.cached_settings(original)
    parser = _Parser()
    parser.settings_spec = ("Its own", None, ())
    get(standalone.Reader, parser, defaults={})
    get(standalone.Reader, parser, defaults={})
    assert len(calls) == 2


@pytest.mark.sphinx
def test_a_site_builds_the_same_and_records_each_pages_own_dependencies(make_site, monkeypatch):
    site = make_site(
        {1: issue_page(1, "2021-03-05", "## Managing Teams\n\n[A](https://example.org/a) - Ann\n")}
    )
    docs = site.root / "docs"
    (docs / "snippet.md").write_text("Included text.\n", encoding="utf-8")
    (docs / "a-include.md").write_text(
        "---\norphan: true\n---\n\n# A\n\n```{include} snippet.md\n```\n", encoding="utf-8"
    )
    (docs / "b-plain.md").write_text("---\norphan: true\n---\n\n# B\n\nPlain.\n", encoding="utf-8")
    conf = site.root / "conf.py"
    conf.write_text(
        conf.read_text(encoding="utf-8")
        + '\nexclude_patterns = [*exclude_patterns, "docs/snippet.md"]\n',
        encoding="utf-8",
    )

    def built() -> tuple[dict[str, str], dict[str, set[str]]]:
        app, warnings = site.build(fresh=True)
        assert warnings == "", warnings
        pages = {
            str(p.relative_to(site.out)): p.read_text(encoding="utf-8")
            for p in site.out.rglob("*.html")
        }
        deps = {doc: {str(d) for d in found} for doc, found in app.env.dependencies.items()}
        return pages, deps

    import sphinx.util.docutils as sphinx_docutils

    made: list[int] = []
    real = sphinx_docutils._get_settings

    def counting(*args, **kwargs):
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(sphinx_docutils, "_get_settings", counting)
    cached_pages, cached_deps = built()
    assert 1 <= len(made) <= 2  # the pages' settings, made once (Markdown and what else)
    assert sphinx_docutils._get_settings is counting  # Sphinx's own again after the build
    assert any(d.endswith("snippet.md") for d in cached_deps["docs/a-include"])
    assert not any(d.endswith("snippet.md") for d in cached_deps.get("docs/b-plain", ()))
    assert "Included text." in cached_pages["docs/a-include.html"]
    monkeypatch.setattr(docsettings, "_install", lambda app: None)
    made.clear()
    pages, deps = built()
    assert len(made) > 10  # once per page read
    assert cached_deps == deps
    assert cached_pages == pages
