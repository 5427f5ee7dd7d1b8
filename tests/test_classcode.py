"""Dataclasses' methods compiled from code kept from one process to the next
(roundup_kb.classcode)."""

from __future__ import annotations

import dataclasses
import marshal
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from roundup_kb import classcode, files
from roundup_kb.files import load_cache, save_cache

pytestmark = pytest.mark.skipif(not classcode.supported(), reason="code is not kept here")

EXT = Path(__file__).resolve().parents[1] / "ext"

# Classes of the shapes the build meets, defined without ``from __future__ import
# annotations`` (as in a module that does not ask for it): the generated ``__init__``
# of each is annotated ``-> None`` by dataclasses, which that import would turn into
# a string if the kept code were compiled with this test's (or classcode's) flags.
SHAPES = textwrap.dedent(
    """
    import dataclasses
    from dataclasses import InitVar, KW_ONLY, dataclass, field

    @dataclass
    class Plain:
        name: str
        count: int = 0
        tags: list = field(default_factory=list)
        hidden: str = field(default="", repr=False, compare=False)

    @dataclass(frozen=True, order=True)
    class Frozen:
        year: int
        title: str = "untitled"

    @dataclass(slots=True, kw_only=True)
    class Slotted:
        url: str
        note: str | None = None

    @dataclass
    class Derived(Plain):
        extra: InitVar[int] = 1
        _: KW_ONLY
        total: int = 0

        def __post_init__(self, extra):
            self.total = self.count + extra

    @dataclass(eq=False, unsafe_hash=False, match_args=True)
    class NoEq:
        a: int
    """
)


def _make() -> dict:
    """The classes of SHAPES, made by ``dataclasses`` as it stands now."""
    namespace: dict = {"__name__": "shapes"}
    exec(compile(SHAPES, "<shapes>", "exec", dont_inherit=True), namespace)
    return namespace


@pytest.fixture
def fresh(monkeypatch):
    """The module with nothing kept and not installed; put back afterwards."""
    installed = getattr(dataclasses, "exec", None) is classcode.exec_kept
    classcode.uninstall()
    monkeypatch.setattr(classcode, "_kept", {})
    monkeypatch.setattr(classcode, "_used", set())
    monkeypatch.setattr(
        classcode, "_state", {"path": None, "made": 0, "home": None, "saves": 0, "last": {}}
    )
    yield classcode
    classcode.uninstall()
    if installed:  # the build of an earlier test (its conf.py) left it installed
        dataclasses.exec = classcode.exec_kept


def _reset_process(module) -> None:
    """As a new process: nothing kept or used, not installed."""
    module.uninstall()
    module._kept.clear()
    module._used.clear()
    module._state.update(path=None, made=0, home=None, saves=0, last={})


METHODS = ["__init__", "__repr__", "__eq__", "__lt__", "__le__", "__gt__", "__ge__", "__hash__"]
METHODS += ["__setattr__", "__delattr__", "__getstate__", "__setstate__"]


def _same_classes(made: dict, reference: dict) -> None:
    """The classes in ``made`` have the methods (code and all) that CPython's own
    compilation gives the same classes in ``reference``, and behave the same."""
    for name in ["Plain", "Frozen", "Slotted", "Derived", "NoEq"]:
        ours, theirs = made[name], reference[name]
        for method in METHODS:
            a, b = ours.__dict__.get(method), theirs.__dict__.get(method)
            assert (a is None) == (b is None), (name, method)
            code_a, code_b = getattr(a, "__code__", None), getattr(b, "__code__", None)
            if code_b is None:
                continue
            for attribute in ["co_code", "co_consts", "co_names", "co_varnames", "co_flags"]:
                assert getattr(code_a, attribute) == getattr(code_b, attribute), (name, method)
            assert (code_a.co_filename, code_a.co_qualname) == (
                code_b.co_filename,
                code_b.co_qualname,
            )
            # (by repr: each namespace's InitVar[int] is an object of its own)
            annotations = [{k: repr(v) for k, v in f.__annotations__.items()} for f in (a, b)]
            assert annotations[0] == annotations[1], (name, method)
            assert a.__defaults__ == b.__defaults__ and a.__kwdefaults__ == b.__kwdefaults__
    P, F, S, D = (made[n] for n in ["Plain", "Frozen", "Slotted", "Derived"])
    assert repr(P("a", 2)) == "Plain(name='a', count=2, tags=[])"
    assert P("a", hidden="x") == P("a") and P("a").tags is not P("a").tags
    assert sorted([F(2021, "b"), F(2020), F(2021, "a")]) == [F(2020), F(2021, "a"), F(2021, "b")]
    assert hash(F(2020)) == hash(F(2020))
    with pytest.raises(dataclasses.FrozenInstanceError):
        F(2020).year = 2
    with pytest.raises(TypeError):
        S("positional")
    assert repr(S(url="u")) == "Slotted(url='u', note=None)" and not hasattr(S(url="u"), "__dict__")
    assert (
        D("n", 2, extra=3, total=9).total == 5
        and repr(D("n")) == "Derived(name='n', count=0, tags=[], total=1)"
    )
    assert made["NoEq"](1) != made["NoEq"](1) and made["NoEq"].__match_args__ == ("a",)


def test_installed_the_classes_are_the_ones_python_makes(fresh, tmp_path):
    assert fresh.install(tmp_path)
    assert dataclasses.exec is fresh.exec_kept
    made = _make()
    assert fresh._kept and fresh._state["made"] == len(fresh._kept)
    fresh.uninstall()
    assert not hasattr(dataclasses, "exec")
    _same_classes(made, _make())


def test_a_later_process_makes_them_from_the_kept_code(fresh, tmp_path, monkeypatch):
    fresh.install(tmp_path)
    _make()
    assert fresh.save()
    assert not fresh.save()  # nothing new since
    kept = len(fresh._kept)

    _reset_process(fresh)
    fresh.install(tmp_path)
    assert len(fresh._kept) == kept

    def no_compiling(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(fresh, "compile", no_compiling, raising=False)
    made = _make()
    assert fresh._state["made"] == 0 and not fresh.save()
    monkeypatch.delattr(fresh, "compile")
    fresh.uninstall()
    _same_classes(made, _make())


def _saved(module, path) -> dict[str, int]:
    """Each kept source text -> the number of the save that last found it used, as
    in the file."""
    data = marshal.loads(load_cache(path / module.CACHE_NAME, module.stamp()))
    return {text: last for text, (_, last) in data["entries"].items()}


def _init_setting(saved: dict[str, int], name: str) -> int | None:
    """The save number of the kept ``__init__`` that sets ``name``, if kept."""
    found = [last for text, last in saved.items() if "__init__" in text and f"self.{name}=" in text]
    return found[0] if found else None


def test_the_file_keeps_code_until_ten_writing_processes_did_not_run_it(fresh, tmp_path):
    fresh.install(tmp_path)

    @dataclasses.dataclass
    class First:
        first_only: int

    assert fresh.save()
    _reset_process(fresh)
    fresh.install(tmp_path)

    @dataclasses.dataclass
    class Second:
        second_only: str

    assert fresh.save()
    saved = _saved(fresh, tmp_path)
    # what the first process ran stays for the kind of build that runs it again
    assert _init_setting(saved, "first_only") == 1
    assert _init_setting(saved, "second_only") == 2
    for number in range(3, 13):
        _reset_process(fresh)
        fresh.install(tmp_path)
        dataclasses.make_dataclass(f"Made{number}", [(f"made_{number}", int)])
        assert fresh.save()
        saved = _saved(fresh, tmp_path)
        assert _init_setting(saved, f"made_{number}") == number
        kept = number - 1 <= files.UNUSED_SAVES_KEPT
        assert (_init_setting(saved, "first_only") is not None) == kept
    assert _init_setting(saved, "second_only") == 2  # ten saves unused: still kept


def test_a_file_of_the_older_format_is_treated_as_missing(fresh, tmp_path):
    code = compile("x = 1", "<string>", "exec", dont_inherit=True)
    save_cache(tmp_path / fresh.CACHE_NAME, fresh.stamp(), marshal.dumps({"x = 1": code}))
    assert fresh.install(tmp_path)
    assert fresh._kept == {}


def test_code_kept_by_another_interpreter_is_not_used(fresh, tmp_path, monkeypatch):
    fresh.install(tmp_path)
    _make()
    fresh.save()
    _reset_process(fresh)
    monkeypatch.setattr(fresh, "stamp", lambda: (fresh.CACHE_VERSION, "another Python"))
    fresh.install(tmp_path)
    assert fresh._kept == {}


@pytest.mark.parametrize(
    "data",
    [b"not marshal data", b"", {"not": "bytes"}],
    ids=["garbage", "empty", "not-bytes"],
)
def test_a_file_that_cannot_be_read_is_treated_as_missing(fresh, tmp_path, data):
    save_cache(tmp_path / fresh.CACHE_NAME, fresh.stamp(), data)
    assert fresh.install(tmp_path)
    assert fresh._kept == {}
    fresh.uninstall()
    made = _make()
    _same_classes(made, _make())


def test_code_and_bytes_go_to_the_builtin_exec_as_given(fresh):
    namespace: dict = {}
    fresh.exec_kept(compile("x = 1", "<code>", "exec"), namespace)
    fresh.exec_kept(b"y = 2", namespace)
    fresh.exec_kept("z = x + y", namespace, namespace)
    assert (namespace["x"], namespace["y"], namespace["z"]) == (1, 2, 3)
    assert list(fresh._kept) == ["z = x + y"]


def test_a_forked_process_writes_nothing(fresh, tmp_path, monkeypatch):
    fresh.install(tmp_path)
    _make()
    monkeypatch.setitem(fresh._state, "home", -1)  # not this process
    assert not fresh.save()
    assert not (tmp_path / fresh.CACHE_NAME).exists()


def test_a_fresh_interpreter_with_the_file_compiles_nothing(tmp_path):
    """Two real processes: the second makes the classes from the first's file."""
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(EXT)!r})
        from roundup_kb import classcode
        classcode.install(sys.argv[1])
        namespace = {{"__name__": "shapes"}}
        exec(compile({SHAPES!r}, "<shapes>", "exec", dont_inherit=True), namespace)
        print(classcode._state["made"], classcode.save(), repr(namespace["Plain"]("a")))
        """
    )
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    run = [sys.executable, "-c", script, str(tmp_path)]
    first = subprocess.run(run, capture_output=True, text=True, check=True, env=env).stdout.split()
    second = subprocess.run(run, capture_output=True, text=True, check=True, env=env).stdout.split()
    assert int(first[0]) > 5 and first[1] == "True"
    assert second[:2] == ["0", "False"]
    assert first[2:] == second[2:] == ["Plain(name='a',", "count=0,", "tags=[])"]
