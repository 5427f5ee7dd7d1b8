"""``roundup-kb preview``: warm builds, the watcher, the server and the command."""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import issue_page
from roundup_kb.cli import main
from roundup_kb.permalinks import GENERATED_DIRS
from roundup_kb.preview import (
    BUILD_PATH,
    RELOAD_SCRIPT,
    Preview,
    WarmBuilder,
    changes,
    make_server,
    serve_in_process,
    snapshot,
    watch_and_build,
)

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the preview forks its builds")

FIRST = issue_page(
    1,
    "2024-01-05",
    """
    ## Managing Teams

    [Hiring research software engineers](https://example.org/hiring) - Ada Lovelace, Example Blog

    A first note about hiring.
    """,
)
SECOND = issue_page(
    2,
    "2024-01-12",
    """
    ## Research Software Development

    [Testing scientific code](https://example.org/testing) - Grace Hopper, Example Journal

    Tests catch what reviews miss.
    """,
)


@pytest.fixture
def frozen_heap_given_back():
    """:meth:`WarmBuilder.warm` freezes the heap (it is meant to live as long as its
    process): give it back to the collector after the test."""
    yield
    gc.unfreeze()


def get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers["Content-Type"], response.read()


# -------------------------------------------------------------------------- watching


def test_changes_are_files_added_modified_or_removed_outside_the_skipped_dirs(tmp_path):
    (tmp_path / "issues").mkdir()
    (tmp_path / "issues" / "0001.md").write_text("one")
    (tmp_path / "issues" / "0002.md").write_text("two")
    out = tmp_path / "site"
    out.mkdir()
    for hidden in (".git", "__pycache__", "_build"):
        (tmp_path / hidden).mkdir()
    before = snapshot(tmp_path, [out])
    assert sorted(os.path.relpath(p, tmp_path) for p in before) == [
        "issues/0001.md",
        "issues/0002.md",
    ]

    (tmp_path / "issues" / "0001.md").write_text("one, longer")  # size differs
    (tmp_path / "issues" / "0002.md").unlink()
    (tmp_path / "issues" / "0003.md").write_text("three")
    for ignored in (out / "index.html", tmp_path / ".git" / "HEAD", tmp_path / "_build" / "x"):
        ignored.write_text("not watched")
    (tmp_path / "__pycache__" / "m.pyc").write_text("not watched")
    after = snapshot(tmp_path, [out])
    assert [os.path.relpath(p, tmp_path) for p in changes(before, after)] == [
        "issues/0001.md",
        "issues/0002.md",
        "issues/0003.md",
    ]
    assert changes(after, snapshot(tmp_path, [out])) == []


def test_a_touch_with_the_same_size_is_a_change(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("same")
    before = snapshot(tmp_path)
    os.utime(page, ns=(page.stat().st_atime_ns, page.stat().st_mtime_ns + 1_000_000))
    assert changes(before, snapshot(tmp_path)) == [str(page)]


# --------------------------------------------------------------------------- serving


@pytest.fixture
def served(tmp_path):
    """A preview server of a scratch directory, stopped after the test."""
    (tmp_path / "index.html").write_text("<html><body><p>home</p></body></html>")
    (tmp_path / "issues").mkdir()
    (tmp_path / "issues" / "0001.html").write_text("<html><body>one</body></html>")
    (tmp_path / "data.json").write_text('{"a": "</body>"}')
    server, builds = make_server(tmp_path, "127.0.0.1", 0)
    port = server.server_address[1]
    process = serve_in_process(server)
    try:
        yield f"http://127.0.0.1:{port}", builds, process
    finally:
        process.terminate()
        process.join(5)


def test_pages_are_served_with_the_reload_script_before_the_end_of_their_body(served):
    url, _, _ = served
    status, kind, body = get(url + "/")
    assert status == 200 and kind.startswith("text/html")
    assert body == b"<html><body><p>home</p>" + RELOAD_SCRIPT + b"</body></html>"
    _, _, body = get(url + "/issues/0001.html?x=1")
    assert body == b"<html><body>one" + RELOAD_SCRIPT + b"</body></html>"
    # other files as they are
    _, kind, body = get(url + "/data.json")
    assert body == b'{"a": "</body>"}' and "html" not in kind
    with pytest.raises(urllib.error.HTTPError) as missing:
        get(url + "/issues/0002.html")
    assert missing.value.code == 404


def test_the_server_reports_the_builds_finished_and_stops(served):
    url, builds, process = served
    assert json.loads(get(url + BUILD_PATH)[2]) == {"build": 0}
    builds.value += 2  # as the preview does after each build (shared with the server)
    assert json.loads(get(url + BUILD_PATH)[2]) == {"build": 2}
    assert BUILD_PATH.encode() in RELOAD_SCRIPT
    process.terminate()
    process.join(5)
    with pytest.raises(OSError):
        get(url + BUILD_PATH)


def test_a_port_in_use_is_an_error_that_says_what_to_do(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        said = []
        preview = Preview(tmp_path, tmp_path / "out", port=port, say=said.append)
        assert preview.run() == 1
    assert said and f"cannot serve on 127.0.0.1:{port}" in said[0]
    assert "--port" in said[0]
    assert not (tmp_path / "out").exists()


# -------------------------------------------------------------------------- building


def _page_files(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".doctrees" not in p.parts
    }


def test_a_warm_build_writes_what_sphinx_build_writes(make_site, frozen_heap_given_back):
    site = make_site({1: FIRST, 2: SECOND})
    subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(site.root), str(site.out)],
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    cold = site.out.rename(site.root / "cold")  # the same output path for both builds
    shutil.rmtree(site.root / "docs" / "topics")  # and the same sources to start from
    warm = WarmBuilder(site.root, site.out)
    thresholds = gc.get_threshold()
    imported = warm.warm()
    # conf.py turns the collector off while Sphinx loads extensions: not here
    assert gc.isenabled() and gc.get_threshold() == thresholds
    assert {"myst_parser", "sphinx_design", "roundup_kb", "pydata_sphinx_theme"} <= set(imported)
    assert "sphinx.builders.html" in imported and warm.failed == {}
    os.environ["PYTHONHASHSEED"] = "0"  # read by the build's helpers, as in the cold run
    try:
        assert warm.build().returncode == 0  # the build's own imports are learned here
        shutil.rmtree(site.out)  # the second build, with them loaded, starts afresh too
        shutil.rmtree(site.root / "docs" / "topics")
        result = warm.build()
    finally:
        del os.environ["PYTHONHASHSEED"]
    assert result.returncode == 0 and result.seconds > 0
    cold_files, warm_files = _page_files(cold), _page_files(warm.outdir)
    assert cold_files.keys() == warm_files.keys()
    assert "issues/0001.html" in warm_files and "docs/topics/managing-teams.html" in warm_files
    differ = [name for name in cold_files if cold_files[name] != warm_files[name]]
    assert differ == []


def test_a_warm_rebuild_shows_an_edit_on_the_issue_and_its_topic(make_site, frozen_heap_given_back):
    site = make_site({1: FIRST, 2: SECOND})
    warm = WarmBuilder(site.root, site.out)
    warm.warm()
    assert warm.build().returncode == 0
    site.write_issue(1, FIRST.replace("Hiring research", "Hiring and keeping research"))
    assert warm.build().returncode == 0
    for page in ("issues/0001.html", "docs/topics/managing-teams.html"):
        assert "Hiring and keeping research software engineers" in site.html(page)
        assert "Hiring research" not in site.html(page)


def test_modules_a_build_imported_are_imported_for_the_next(
    make_site, frozen_heap_given_back, forget_localext
):
    site = make_site({1: FIRST})
    module = _local_extension(site)
    # the extension imports a module of its own only when Sphinx sets it up
    module.write_text("def setup(app):\n    import lazymod\n    return {}\n")
    (site.root / "lazymod.py").write_text("VALUE = 1\n")
    warm = WarmBuilder(site.root, site.out)
    warm.warm()
    assert "localext" in sys.modules and "lazymod" not in sys.modules
    assert warm.build().returncode == 0
    assert "lazymod" in sys.modules  # learned from the build's child
    lazymod = site.root / "lazymod.py"
    os.utime(lazymod, ns=(lazymod.stat().st_atime_ns, lazymod.stat().st_mtime_ns + 1_000_000))
    assert warm.stale_modules() == [os.path.realpath(lazymod)]  # and watched as project code
    sys.modules.pop("lazymod")


def test_learning_skips_main_modules_and_remembers_failures(tmp_path, monkeypatch):
    (tmp_path / "goodmod.py").write_text("VALUE = 1\n")
    (tmp_path / "badmod.py").write_text("raise SystemExit('not importable')\n")
    (tmp_path / "apkg").mkdir()
    (tmp_path / "apkg" / "__init__.py").write_text("")
    (tmp_path / "apkg" / "__main__.py").write_text("raise RuntimeError('ran')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    warm = WarmBuilder(tmp_path, tmp_path / "out")
    try:
        names = ["goodmod", "badmod", "apkg.__main__", "goodmod", "__main__"]
        assert warm.learn(names) == ["goodmod"]
        assert "apkg.__main__" not in sys.modules and "badmod" not in sys.modules
        assert warm._unimportable == {"badmod"}
        assert warm.learn(["badmod"]) == []  # not tried again
    finally:
        for name in ("goodmod", "badmod", "apkg", "apkg.__main__"):
            sys.modules.pop(name, None)
        gc.unfreeze()


def test_a_failing_build_returns_its_status(make_site, frozen_heap_given_back):
    site = make_site({1: FIRST})
    conf = site.root / "conf.py"
    conf.write_text(conf.read_text() + "\nraise RuntimeError('broken on purpose')\n")
    warm = WarmBuilder(site.root, site.out)
    warm.warm()
    assert "broken on purpose" in warm.failed["conf.py"]
    assert gc.isenabled()
    result = warm.build()
    assert result.returncode != 0


def _local_extension(site) -> Path:
    module = site.root / "localext.py"
    module.write_text("def setup(app):\n    return {'parallel_read_safe': True}\n")
    conf = site.root / "conf.py"
    conf.write_text(
        conf.read_text()
        + "\nimport os, sys\nsys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))"
        + "\nextensions = [*extensions, 'localext']\n"
    )
    return module


@pytest.fixture
def forget_localext():
    path = list(sys.path)
    yield
    sys.path[:] = path
    sys.modules.pop("localext", None)


def test_the_projects_own_code_that_changed_since_it_was_imported_is_stale(
    make_site, frozen_heap_given_back, forget_localext
):
    site = make_site({1: FIRST})
    module = _local_extension(site)
    warm = WarmBuilder(site.root, site.out)
    assert "localext" in warm.warm()
    assert warm.stale_modules() == []
    stat = module.stat()
    os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert warm.stale_modules() == [os.path.realpath(module)]


# ------------------------------------------------------------------------------ loop


def _loop(site, on_step, *, limit=200):
    """Run :func:`watch_and_build` on ``site`` with ``on_step(calls, builds)`` called
    before each look for changes; stop when it returns True."""
    warm = WarmBuilder(site.root, site.out)
    warm.warm()
    builds, restarts, calls = [], [], [0]

    def stop():
        calls[0] += 1
        return calls[0] > limit or on_step(calls[0], builds, restarts)

    watch_and_build(
        warm,
        interval=0.05,
        on_build=lambda result, changed: builds.append((result.returncode, changed)),
        restart=restarts.append,
        stop=stop,
    )
    return builds, restarts


def test_the_loop_builds_once_then_after_each_change_but_not_its_own_pages(
    make_site, frozen_heap_given_back
):
    site = make_site({1: FIRST})
    for generated in GENERATED_DIRS:  # so that the first build writes them
        shutil.rmtree(site.root / generated, ignore_errors=True)
    edited = str(site.root / "issues" / "0002.md")

    def step(calls, builds, restarts):
        if calls == 5:  # a few looks after the first build, which wrote docs/topics/*.md
            site.write_issue(2, SECOND)
        return len(builds) == 2 or calls > 100

    builds, restarts = _loop(site, step)
    # the first build, then one for the new issue alone: the generated pages' sources
    # the first build wrote did not count as changes
    assert builds == [(0, []), (0, [edited])]
    assert restarts == []
    assert "Testing scientific code" in site.html("issues/0002.html")


def test_the_loop_restarts_instead_of_building_stale_code(
    make_site, frozen_heap_given_back, forget_localext
):
    site = make_site({1: FIRST})
    module = _local_extension(site)

    def step(calls, builds, restarts):
        if calls == 2:
            module.write_text(module.read_text() + "# changed\n")
            site.write_issue(2, SECOND)
        return calls > 100

    builds, restarts = _loop(site, step)
    assert builds == [(0, [])]  # the loop returned at the change: no build of stale code
    assert restarts == [[os.path.realpath(module)]]


# --------------------------------------------------------------------------- command


def test_the_command_needs_a_project(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["preview", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert "no conf.py here" in err and "roundup-kb preview" in err
    assert main(["preview", "--port", "70000"]) == 2
    assert main(["preview", "--interval", "0"]) == 2
    capsys.readouterr()
    monkeypatch.delattr(os, "fork")
    assert main(["preview"]) == 2
    assert "cannot fork" in capsys.readouterr().err


def _wait(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def _builds(url: str) -> int:
    try:
        return json.loads(get(url + BUILD_PATH)[2])["build"]
    except OSError:
        return -1


#: the preview's line naming the address it serves
SERVING = re.compile(r"on (http://127\.0\.0\.1:\d+/)")


@contextmanager
def preview_process(site, log: Path):
    """``roundup-kb preview --port 0`` run in ``site`` as a process of its own, its
    output in ``log``; killed after the block if it is still running."""
    with log.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "roundup_kb.cli", "preview", "--port", "0", "--interval", "0.1"],
            cwd=site.root,
            stdout=err,
            stderr=err,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_preview_serves_the_site_and_rebuilds_it_after_an_edit(make_site, tmp_path):
    site = make_site({1: FIRST})
    log = tmp_path / "preview.log"
    with preview_process(site, log) as process:
        found = _wait(lambda: SERVING.search(log.read_text()))
        url = found.group(1).rstrip("/")
        _wait(lambda: _builds(url) == 1)
        _, _, page = get(url + "/issues/0001.html")
        assert b"Hiring research software engineers" in page and RELOAD_SCRIPT in page
        site.write_issue(1, FIRST.replace("A first note about hiring.", "Hiring takes months."))
        _wait(lambda: _builds(url) == 2)
        assert b"Hiring takes months." in get(url + "/issues/0001.html")[2]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    text = log.read_text()
    assert "built in" in text and "after issues/0001.md changed" in text
    assert text.rstrip().endswith("stopped")
    with pytest.raises(OSError):
        get(url + BUILD_PATH)


def test_preview_starts_itself_again_when_the_projects_code_changes(make_site, tmp_path):
    """A local extension edited while the preview runs: it says so and execs itself
    again (a new process image, the same pid), and serves and builds as before."""
    site = make_site({1: FIRST})
    module = _local_extension(site)
    log = tmp_path / "preview.log"
    with preview_process(site, log) as process:
        found = _wait(lambda: SERVING.search(log.read_text()))
        _wait(lambda: _builds(found.group(1).rstrip("/")) == 1)
        module.write_text(module.read_text() + "# changed\n")
        again = _wait(lambda: SERVING.findall(log.read_text())[1:])
        url = again[0].rstrip("/")
        _wait(lambda: _builds(url) == 1)  # the new process's first build
        if url != found.group(1).rstrip("/"):  # the old server was stopped first
            with pytest.raises(OSError):
                get(found.group(1) + BUILD_PATH.lstrip("/"))
        assert b"Hiring research software engineers" in get(url + "/issues/0001.html")[2]
        assert process.poll() is None
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    text = log.read_text()
    assert "localext.py changed since it was imported; starting the preview again" in text
    assert text.count("imported Sphinx and") == 2
