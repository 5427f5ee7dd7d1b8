"""The environment's repeated values shared before it is pickled."""

from __future__ import annotations

import pickle
from collections import defaultdict
from pathlib import PurePosixPath
from types import SimpleNamespace

import pytest

from conftest import issue_page
from roundup_kb.sphinxext.envshare import Shared, share_values


def _copy(text: str) -> str:
    """An equal string that is another object (literals are interned)."""
    return "".join(list(text))


def test_equal_strings_and_tuples_become_one_object():
    shared = Shared()
    one, two = _copy("managing-teams"), _copy("managing-teams")
    assert one is not two
    assert shared(one) is shared(two) is one
    first = shared((16, _copy("managing-teams"), _copy("Managing Teams")))
    second = shared((16, _copy("managing-teams"), _copy("Managing Teams")))
    assert first is second
    assert first == (16, "managing-teams", "Managing Teams")


def test_sharing_never_changes_a_type_nor_shares_what_can_change():
    shared = Shared()
    assert type(shared((1,))[0]) is int
    assert type(shared((True,))[0]) is bool  # (1,) == (True,): not merged
    assert type(shared((1.0,))[0]) is float
    assert type(shared(((1,),))[0][0]) is int
    assert type(shared(((1.0,),))[0][0]) is float  # nor through a nested tuple
    kept = [1, 2]
    assert shared(kept) is kept  # lists, sets, nodes: left as they are
    first, second = shared({"a": [1]}), shared({"a": [1]})
    assert first == second and first is not second  # dictionaries are copied


def _env() -> SimpleNamespace:
    registry = "/site/docs/registry/topics.yaml"
    env = SimpleNamespace(dependencies=defaultdict(set), metadata=defaultdict(dict))
    for doc in ("issues/0001", "issues/0002", "issues/0003"):
        env.dependencies[doc].add(PurePosixPath(_copy(registry)))
        env.metadata[doc].update(
            {
                _copy("title"): _copy("#1"),
                _copy("myst_slugs"): {
                    _copy("random"): (9, _copy("random"), _copy("Random")),
                },
                _copy("wordcount"): {"words": 10, "minutes": 0},
            }
        )
    return env


def test_the_pages_read_share_their_dependencies_and_metadata():
    env = _env()
    before = {doc: dict(found) for doc, found in env.metadata.items()}
    own = env.metadata["issues/0001"]
    share_values(env, ["issues/0001", "issues/0002"])
    assert {doc: dict(found) for doc, found in env.metadata.items()} == before
    assert env.metadata["issues/0001"] is own  # updated in place
    one, two, three = (env.metadata[f"issues/000{n}"] for n in (1, 2, 3))
    assert one["myst_slugs"]["random"] is two["myst_slugs"]["random"]
    assert one["myst_slugs"] is not two["myst_slugs"]
    assert one["myst_slugs"]["random"] is not three["myst_slugs"]["random"]  # not read
    [path_one], [path_two], [path_three] = (env.dependencies[f"issues/000{n}"] for n in (1, 2, 3))
    assert path_one is path_two and path_one is not path_three
    assert len(pickle.dumps(env.metadata)) < len(pickle.dumps(before))


@pytest.mark.sphinx
def test_a_built_environment_holds_one_object_for_each_shared_value(make_site):
    body = "## Managing Teams\n\n[A{n}](https://example.org/{n}) - Ann\n"
    site = make_site({n: issue_page(n, f"2021-03-0{n}", body.format(n=n)) for n in (1, 2, 3)})

    def loaded():
        return pickle.loads((site.doctrees / "environment.pickle").read_bytes())

    def counts(env) -> tuple[int, int, int, int]:
        paths = [
            p for doc, found in env.dependencies.items() if doc.startswith("issues/") for p in found
        ]
        slugs = [env.metadata[f"issues/000{n}"]["myst_slugs"]["managing-teams"] for n in (1, 2, 3)]
        return (
            len(paths),
            len({str(p) for p in paths}),
            len({id(p) for p in paths}),
            len({id(s) for s in slugs}),
        )

    _, warnings = site.build(fresh=True)
    assert warnings == "", warnings
    total, distinct, objects, slug_objects = counts(loaded())
    assert total >= 6 and distinct >= 2  # the registries, noted by each issue page
    assert objects == distinct
    assert slug_objects == 1
    site.write_issue(2, issue_page(2, "2021-03-02", body.format(n=2) + "\nMore.\n"))
    _, warnings = site.build()
    assert warnings == "", warnings
    env = loaded()
    assert "More." in (site.out / "issues" / "0002.html").read_text(encoding="utf-8")
    assert env.metadata["issues/0002"]["myst_slugs"]["managing-teams"][1] == "managing-teams"
    _, warnings = site.build(fresh=True, parallel=2)
    assert warnings == "", warnings
    assert counts(loaded())[2:] == (distinct, 1)  # merged from -j 2 readers, then shared
