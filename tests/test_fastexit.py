"""roundup_kb.sphinxext.fastexit: sphinx-build ends with its status, after the exit
hooks and without taking the heap apart; nothing changes for anyone else.

Each test builds a one-page project whose only extensions are ``fastexit`` and a
probe.  The probe records, in ``marks.txt``, that Python's exit hooks ran
(``atexit``) and that the interpreter took its modules apart (``teardown``: the
``__del__`` of an object a module holds), and prints a last line to standard
output without flushing it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PROBE = """
import atexit, threading, time
from pathlib import Path

from sphinx.util import logging

MARKS = Path(__file__).with_name("marks.txt")

def mark(word):
    with MARKS.open("a", encoding="utf-8") as stream:
        stream.write(word + "\\n")

class Teardown:
    def __init__(self):
        self.path = str(MARKS)

    def __del__(self, open=open):  # late in the teardown, globals may be gone
        with open(self.path, "a", encoding="utf-8") as stream:
            stream.write("teardown\\n")

KEPT = Teardown()

def finished(app, exception):
    if app.config.probe_raise:
        raise RuntimeError("the probe raised after the build")
    print("probe: the last line", end="")  # not flushed: a pipe is block-buffered
    if app.config.probe_thread:
        def late():
            time.sleep(0.3)
            mark("thread")
        threading.Thread(target=late).start()

def inited(app):
    if app.config.probe_warn:
        logging.getLogger("probe").warning("the probe warns")

def setup(app):
    app.add_config_value("probe_raise", False, "", types=[bool])
    app.add_config_value("probe_thread", False, "", types=[bool])
    app.add_config_value("probe_warn", False, "", types=[bool])
    app.connect("build-finished", finished, priority=1001)  # after fastexit's
    app.connect("builder-inited", inited)
    atexit.register(mark, "atexit")
    return {"parallel_read_safe": True}
"""

CONF = """
import sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
extensions = ["roundup_kb.sphinxext.fastexit", "probe"]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(textwrap.dedent(CONF), encoding="utf-8")
    (src / "probe.py").write_text(PROBE, encoding="utf-8")
    (src / "index.rst").write_text("Probe\n=====\n\nOne page.\n", encoding="utf-8")
    return src


def run(project: Path, *options: str, prefix: tuple[str, ...] = ("-m", "sphinx")):
    out = project.parent / "out"
    command = [sys.executable, *prefix, "-b", "html", *options, str(project), str(out)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def marks(project: Path) -> list[str]:
    path = project / "marks.txt"
    return path.read_text(encoding="utf-8").split() if path.exists() else []


@pytest.mark.sphinx
def test_the_command_runs_the_exit_hooks_flushes_and_skips_the_teardown(project):
    result = run(project, "-q")
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("probe: the last line")
    assert marks(project) == ["atexit"]
    assert (project.parent / "out" / "index.html").is_file()


@pytest.mark.sphinx
def test_turned_off_the_interpreter_takes_itself_apart_as_usual(project):
    # the probe's teardown mark is seen when there is a teardown to see
    result = run(project, "-q", "-D", "roundup_fast_exit=0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("probe: the last line")
    assert marks(project) == ["atexit", "teardown"]


@pytest.mark.sphinx
def test_warnings_as_errors_exit_1_with_the_warning_written(project):
    result = run(project, "-q", "-W", "-D", "probe_warn=1")
    assert result.returncode == 1
    assert "the probe warns" in result.stderr
    assert marks(project) == ["atexit"]


@pytest.mark.sphinx
def test_an_error_after_the_build_exits_2_with_its_report(project):
    result = run(project, "-q", "-D", "probe_raise=1")
    assert result.returncode == 2
    assert "the probe raised after the build" in result.stderr
    assert marks(project) == ["atexit"]


@pytest.mark.sphinx
def test_make_mode_ends_early_too(project):
    out = str(project.parent / "made")
    command = [sys.executable, "-m", "sphinx", "-M", "html", str(project), out, "-q"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert marks(project) == ["atexit"]


@pytest.mark.sphinx
def test_the_sphinx_build_script_ends_early_too(project):
    script = Path(sys.executable).with_name("sphinx-build")
    if not script.is_file():
        pytest.skip(f"no sphinx-build script beside {sys.executable}")
    result = run(project, "-q", prefix=(str(script),))
    assert result.returncode == 0, result.stderr
    assert marks(project) == ["atexit"]


@pytest.mark.sphinx
def test_a_thread_still_running_gets_the_usual_exit(project):
    result = run(project, "-q", "-D", "probe_thread=1")
    assert result.returncode == 0, result.stderr
    assert marks(project) == ["thread", "atexit", "teardown"]


@pytest.mark.sphinx
def test_a_profiler_running_the_command_gets_its_report(project):
    stats = project.parent / "build.prof"
    result = run(project, "-q", prefix=("-m", "cProfile", "-o", str(stats), "-m", "sphinx"))
    assert result.returncode == 0, result.stderr
    assert stats.is_file() and stats.stat().st_size > 0


@pytest.mark.sphinx
def test_builds_in_a_process_that_goes_on_change_nothing(project):
    from sphinx.cmd.build import build_main

    status = build_main(["-q", "-b", "html", str(project), str(project.parent / "inproc")])
    assert status == 0
    assert sys.getprofile() is None
    assert marks(project) == []  # the exit hooks are this process's, run at its end
