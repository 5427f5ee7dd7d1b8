"""The helper processes a build forks (roundup_kb.sphinxext.processes)."""

from __future__ import annotations

import multiprocessing
import threading

import pytest
from sphinx.errors import SphinxParallelError

from conftest import helpers_gone
from roundup_kb.sphinxext.processes import Helper, helpers_available

pytestmark = pytest.mark.skipif(not helpers_available(), reason="needs fork and a second CPU")


def test_join_returns_at_the_report_without_waiting_for_the_exit():
    """The report is sent after the work; the process may still be ending (here a
    thread it started holds it) when join returns, and is reaped once it has."""
    release = multiprocessing.get_context("fork").Event()

    def work(receive):
        assert receive() == "go"
        # a non-daemon thread: the process cannot exit before it ends
        threading.Thread(target=release.wait, args=(60,)).start()

    helper = Helper(work, "test")
    helper.send("go")
    helper.join()
    assert helper._process.is_alive()  # joined before the process ended
    release.set()
    assert helpers_gone()


def test_join_raises_the_helpers_error():
    def work(receive):
        raise RuntimeError("no good")

    helper = Helper(work, "test")
    with pytest.raises(SphinxParallelError, match="no good"):
        helper.join()
    assert helpers_gone()
