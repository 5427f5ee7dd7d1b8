"""One scan of the installed entry points for every plugin lookup of a build.

pybtex and sphinxcontrib-bibtex find each plugin they use (a formatting style, a
label, name or sorting style, a backend, a referencing style) with
``importlib.metadata.entry_points(group=..., name=...)``, and each such call reads
the metadata of every installed distribution: 14 ms per call with the 148
distributions of the benchmark machine.  A build makes ten of them whatever it
has to do, two while ``sphinxcontrib.bibtex`` is imported: about 0.15 s of every
build, a tenth of a rebuild after editing one issue.  Sphinx looks for themes
the same way when it makes the HTML builder (``sphinx.theming``), and Pygments
for styles and lexers it does not hold itself (``pygments.plugin``: the
pydata theme's ``pygments.css`` lists every style at the end of each build): two
more scans, 6 to 8 ms each here.

:func:`share_one_scan` gives the modules that make these calls
(``pybtex.plugin``, ``sphinxcontrib.bibtex.plugin``, ``sphinx.theming``) a lookup
that scans once per process and selects from what it found, as
``EntryPoints.select`` does for ``entry_points(**params)``;
:func:`share_pygments_scan` answers Pygments' ``iter_entry_points`` from it.  Their
own registries of plugins added at run time are still asked first, by their own
code.  A module whose ``entry_points`` is not the standard library's function
(another extension replaced it, or a new release looks plugins up another way)
is left alone.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from typing import Any


class OneScan:
    """``entry_points(**params)`` answered from one scan, made on the first call."""

    def __init__(self) -> None:
        self._found: importlib.metadata.EntryPoints | None = None
        #: how many times the installed distributions were scanned (0 or 1)
        self.scans = 0

    def __call__(self, **params: Any) -> importlib.metadata.EntryPoints:
        if self._found is None:
            self._found = importlib.metadata.entry_points()
            self.scans += 1
        return self._found.select(**params) if params else self._found


#: shared by every build in the process: entry points do not change while it runs
SCAN = OneScan()


def share_one_scan(module_name: str) -> bool:
    """Give ``module_name`` the shared lookup.

    False when its ``entry_points`` is neither the standard library's nor the shared one.
    """
    module = importlib.import_module(module_name)
    if getattr(module, "entry_points", None) is not importlib.metadata.entry_points:
        return getattr(module, "entry_points", None) is SCAN
    module.entry_points = SCAN  # type: ignore[attr-defined]
    return True


#: the modules given the shared lookup by :func:`setup` (pybtex's are given it by
#: ``cite.setup``, around importing sphinxcontrib-bibtex)
LOOKUPS = ("sphinx.theming",)


def share_pygments_scan() -> bool:
    """Give Pygments' ``iter_entry_points(group_name)`` the shared lookup.

    Pygments 2.20 looks plugins up through a module-level ``entry_points``, 2.21
    imports it inside ``iter_entry_points`` (and caches each group's answer): taking
    the place of that function covers both.  False, and left alone, when the function
    is not Pygments' own (another extension replaced it).
    """
    module = importlib.import_module("pygments.plugin")
    current = getattr(module, "iter_entry_points", None)
    if getattr(current, "roundup_shared", False):
        return True
    if current is None or getattr(current, "__module__", None) != module.__name__:
        return False

    def iter_entry_points(group_name: str) -> importlib.metadata.EntryPoints:
        return SCAN(group=group_name)

    iter_entry_points.roundup_shared = True  # type: ignore[attr-defined]
    iter_entry_points.roundup_original = current  # type: ignore[attr-defined]
    module.iter_entry_points = iter_entry_points  # type: ignore[attr-defined]
    return True


def setup() -> None:
    """Sphinx's theme lookup (made when the HTML builder is created, after every
    extension's set-up) and Pygments' plugin lookups share the scan."""
    for module_name in LOOKUPS:
        share_one_scan(module_name)
    share_pygments_scan()
