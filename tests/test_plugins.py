"""pybtex's and sphinxcontrib-bibtex's plugin lookups share one scan of the entry points."""

from __future__ import annotations

import importlib.metadata
import sys
import traceback
import types

import pybtex.plugin
import pytest

from conftest import issue_page
from roundup_kb.sphinxext import plugins
from roundup_kb.sphinxext.plugins import OneScan, share_one_scan

PYBTEX_GROUPS = sorted(pybtex.plugin._DEFAULT_PLUGINS)


@pytest.mark.parametrize("group", PYBTEX_GROUPS)
def test_one_scan_finds_what_the_standard_library_finds(group: str) -> None:
    scan = OneScan()
    for search in (group, f"{group}.aliases", f"{group}.suffixes"):
        wanted = importlib.metadata.entry_points(group=search)
        assert list(scan(group=search)) == list(wanted)
        for entry_point in wanted:
            found = scan(group=search, name=entry_point.name)
            assert list(found) == list(
                importlib.metadata.entry_points(group=search, name=entry_point.name)
            )
    assert list(scan(group=group, name="no-such-plugin")) == []
    assert scan.scans == 1


def test_share_one_scan_replaces_only_the_standard_librarys_function(monkeypatch) -> None:
    plain = types.ModuleType("plain_plugins")
    plain.entry_points = importlib.metadata.entry_points
    own = types.ModuleType("own_plugins")
    own.entry_points = lambda **params: ()
    monkeypatch.setitem(sys.modules, "plain_plugins", plain)
    monkeypatch.setitem(sys.modules, "own_plugins", own)
    assert share_one_scan("plain_plugins") is True
    assert plain.entry_points is plugins.SCAN
    assert share_one_scan("plain_plugins") is True  # already shared
    assert share_one_scan("own_plugins") is False
    assert own.entry_points is not plugins.SCAN


LIBRARIES = ("pybtex.plugin", "sphinxcontrib.bibtex.plugin", *plugins.LOOKUPS)


def test_a_build_scans_once_for_every_library(make_site, monkeypatch) -> None:
    """Every scan a build makes for pybtex, sphinxcontrib-bibtex, Sphinx's themes or
    Pygments' plugins goes through the shared one."""
    monkeypatch.setattr(plugins, "SCAN", OneScan())
    for name in LIBRARIES:
        module = sys.modules.get(name)
        if module is not None:  # an earlier build in this process shared them
            monkeypatch.setattr(module, "entry_points", importlib.metadata.entry_points)
    pygments_plugin = importlib.import_module("pygments.plugin")
    own = getattr(pygments_plugin.iter_entry_points, "roundup_original", None)
    if own is not None:
        monkeypatch.setattr(pygments_plugin, "iter_entry_points", own)
    own = pygments_plugin.iter_entry_points
    if hasattr(own, "cache_clear"):  # Pygments 2.21 keeps each group's answer
        own.cache_clear()
    scanned_by: list[list[str]] = []
    distributions = importlib.metadata.distributions

    def counting(**kwargs):
        scanned_by.append([frame.filename for frame in traceback.extract_stack()])
        return distributions(**kwargs)

    monkeypatch.setattr(importlib.metadata, "distributions", counting)
    body = "## Research Software Development\n\n[A tool](https://example.org/t) - Ada Lovelace\n"
    site = make_site({95: issue_page(95, "2021-10-01", body)})
    site.build(fresh=True)

    def through(part: str) -> list[list[str]]:
        return [stack for stack in scanned_by if any(part in name for name in stack)]

    shared = through("roundup_kb/sphinxext/plugins.py")
    assert len(shared) == 1
    for library in (
        "pybtex/plugin",
        "sphinxcontrib/bibtex/plugin",
        "sphinx/theming",
        "pygments/plugin",
    ):
        assert [stack for stack in through(library) if stack not in shared] == []
    for name in LIBRARIES:
        assert sys.modules[name].entry_points is plugins.SCAN
    assert pygments_plugin.iter_entry_points.roundup_shared
