"""Compiled regular expressions kept from one process to the next (roundup_kb.recache)."""

from __future__ import annotations

import re
import warnings

import pytest

from roundup_kb import files, recache
from roundup_kb.files import load_cache, save_cache

pytestmark = pytest.mark.skipif(not recache.supported(), reason="re compiles otherwise here")

PATTERNS = [
    (r"(?P<year>\d{4})-(?P<month>\d\d)", 0),
    (r"^the\s+", re.IGNORECASE),
    (r"(?<!\w)_+|_+(?!\w)", 0),
    (r"[\u200b-\u200f\u2060\ufeff]", 0),
    (
        r"""
        (?P<name>[A-Z][a-z]+)   # a capitalised word
        (?:\s+(?P=name))?        # the same again
     """,
        re.VERBOSE,
    ),
    (rb"\x00(?P<tag>[a-z]+)\x00", 0),
    (r"a.b", re.DOTALL | re.MULTILINE),
    (r"(x)(y)?(?(2)z|w)", 0),
]
TEXTS = [
    "2021-10 and 1999-01",
    "The the cat",
    "_a_ b_c __d",
    "x\u200by",
    "Tom Tom Ann",
    "a\nb",
    "xyz xw",
]


@pytest.fixture
def fresh(monkeypatch):
    """The module with nothing kept and not installed; put back afterwards."""
    monkeypatch.setattr(recache, "_kept", {})
    monkeypatch.setattr(recache, "_used", set())
    monkeypatch.setattr(
        recache, "_state", {"path": None, "made": 0, "home": None, "saves": 0, "last": {}}
    )
    yield recache
    recache.uninstall()


def _same(compiled, pattern: str | bytes, flags: int) -> None:
    """``compiled`` is what CPython's own compilation makes of ``pattern``."""
    reference = recache._ORIGINAL(pattern, flags)
    assert (compiled.pattern, compiled.flags, compiled.groups, compiled.groupindex) == (
        reference.pattern,
        reference.flags,
        reference.groups,
        reference.groupindex,
    )
    for text in TEXTS:
        subject = text.encode("utf-8") if isinstance(pattern, bytes) else text
        assert compiled.findall(subject) == reference.findall(subject)
        assert compiled.sub(subject[:0], subject) == reference.sub(subject[:0], subject)


def _reset_process(module) -> None:
    """As a new process: nothing kept or used, not installed."""
    module.uninstall()
    module._kept.clear()
    module._used.clear()
    module._state.update(path=None, made=0, home=None, saves=0, last={})


def test_a_later_process_compiles_from_the_kept_code(fresh, tmp_path, monkeypatch):
    assert fresh.install(tmp_path)
    assert re._compiler.compile is fresh.compile_kept
    for pattern, flags in PATTERNS:
        _same(fresh.compile_kept(pattern, flags), pattern, flags)
    assert fresh.save()
    assert not fresh.save()  # nothing new since

    _reset_process(fresh)
    fresh.install(tmp_path)

    def no_parsing(pattern, flags):
        raise AssertionError(f"{pattern!r} was parsed again")

    monkeypatch.setattr(fresh, "_made", no_parsing)
    for pattern, flags in PATTERNS:
        _same(fresh.compile_kept(pattern, flags), pattern, flags)
    # with the same flags only: another is compiled (and parsed)
    with pytest.raises(AssertionError) as raised:  # (a match= pattern would be compiled too)
        fresh.compile_kept(PATTERNS[0][0], re.ASCII)
    assert "was parsed again" in str(raised.value)


def test_re_compile_goes_through_it_once_installed(fresh, tmp_path):
    fresh.install(tmp_path)
    pattern = r"kept-through-re-compile-(\d+)"  # not in re's own cache yet
    assert re.compile(pattern).findall("kept-through-re-compile-42") == ["42"]
    assert (pattern, 0) in fresh._kept
    fresh.uninstall()
    assert re._compiler.compile is recache._ORIGINAL


def _saved(module, path) -> dict:
    """key -> the number of the save that last found it used, as in the file."""
    data = load_cache(path / module.CACHE_NAME, module.stamp())
    return {key: last for key, (_, last) in data["entries"].items()}


def test_the_file_keeps_patterns_until_ten_writing_processes_did_not_use_them(fresh, tmp_path):
    fresh.install(tmp_path)
    for pattern, flags in PATTERNS[:3]:
        fresh.compile_kept(pattern, flags)
    assert fresh.save()
    assert _saved(fresh, tmp_path) == {key: 1 for key in PATTERNS[:3]}
    _reset_process(fresh)
    fresh.install(tmp_path)
    fresh.compile_kept(*PATTERNS[0])  # kept: nothing to write for it alone
    assert not fresh.save()
    fresh.compile_kept(*PATTERNS[3])  # made
    assert fresh.save()
    # what the other process used stays: a full build's patterns after an edit's
    assert _saved(fresh, tmp_path) == {
        PATTERNS[0]: 2,
        PATTERNS[1]: 1,
        PATTERNS[2]: 1,
        PATTERNS[3]: 2,
    }
    # writers that use PATTERNS[1] and a new pattern each, never PATTERNS[2]
    for number in range(3, 14):
        _reset_process(fresh)
        fresh.install(tmp_path)
        fresh.compile_kept(*PATTERNS[1])
        fresh.compile_kept(f"written-by-{number}", 0)  # made
        assert fresh.save()
        saved = _saved(fresh, tmp_path)
        assert saved[PATTERNS[1]] == number
        assert (PATTERNS[2] in saved) == (number - 1 <= files.UNUSED_SAVES_KEPT)
        assert (PATTERNS[0] in saved) == (number - 2 <= files.UNUSED_SAVES_KEPT)
    # the writers' own patterns are at most ten saves old; the first process's are gone
    assert set(saved) == {PATTERNS[1], *((f"written-by-{n}", 0) for n in range(3, 14))}


def test_a_file_of_the_older_format_is_treated_as_missing(fresh, tmp_path):
    save_cache(tmp_path / fresh.CACHE_NAME, fresh.stamp(), {PATTERNS[0]: (0, [1], 0, {}, ())})
    assert fresh.install(tmp_path)
    assert fresh._kept == {}


def test_code_kept_by_another_interpreter_is_not_used(fresh, tmp_path, monkeypatch):
    fresh.install(tmp_path)
    fresh.compile_kept(*PATTERNS[0])
    fresh.save()
    _reset_process(fresh)
    monkeypatch.setattr(fresh, "stamp", lambda: (fresh.CACHE_VERSION, "another Python"))
    fresh.install(tmp_path)
    assert fresh._kept == {}


def test_a_pattern_that_warns_warns_every_time_and_is_not_kept(fresh, tmp_path):
    fresh.install(tmp_path)
    for _ in range(2):
        with pytest.warns(FutureWarning, match="Possible nested set"):
            compiled = fresh.compile_kept(r"[[a]x", 0)
        assert compiled.findall("[x ax") == ["[x", "ax"]
    assert (r"[[a]x", 0) not in fresh._kept


def test_debug_compilation_prints_and_is_not_kept(fresh, tmp_path, capsys):
    fresh.install(tmp_path)
    fresh.compile_kept(r"ab", re.DEBUG)
    assert "LITERAL" in capsys.readouterr().out
    assert ("ab", re.DEBUG) not in fresh._kept


def test_kept_code_the_engine_refuses_is_compiled_again(fresh, tmp_path):
    fresh.install(tmp_path)
    fresh._kept[("a+b", 0)] = (0, ["not", "code"], 0, {}, ())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _same(fresh.compile_kept("a+b", 0), "a+b", 0)
    assert fresh._kept[("a+b", 0)][1] != ["not", "code"]


def test_a_forked_process_writes_nothing(fresh, tmp_path, monkeypatch):
    fresh.install(tmp_path)
    fresh.compile_kept(*PATTERNS[1])
    monkeypatch.setitem(fresh._state, "home", -1)  # not this process
    assert not fresh.save()
    assert not (tmp_path / fresh.CACHE_NAME).exists()
