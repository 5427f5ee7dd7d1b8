"""The object inventory (``objects.inv``) written again only when what it lists changed.

Sphinx writes the inventory in every build that reads or writes a page: it
lists every object of every domain (each of the site's entries and names), and
compresses the list at zlib's highest level.  On the corpus that is 2,300
objects and about 25 ms, 16 of them compressing, in the search index's helper,
whose work is what an edited issue waits for at the end of its build.  An edit
to commentary changes no object.

So the list is digested first (:func:`inventory_digest`: each object's name,
display name, type, page address, anchor and priority, domain by domain, and the
project's name and version, everything the file shows); when the digest is the
one recorded after the last write and the file on disk is the one written then
(same size and modification time), the file is left alone.  Otherwise Sphinx
writes it, as before, and the digest is recorded beside the doctrees.  The
record names the file, so builders with other output directories (``dirhtml``)
sharing the doctrees write their own.

The digest is made in the build's process, before the search index's helper is
forked (:mod:`roundup_kb.sphinxext.searchindex`), which writes the file when it must.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from hashlib import blake2b
from pathlib import Path
from typing import Any

import sphinx
from sphinx.builders.html import INVENTORY_FILENAME

from roundup_kb.files import load_cache, save_cache

#: the record of the last inventory written, beside the doctrees
RECORD_NAME = "roundup-inventory.pickle"
RECORD_VERSION = 1


def inventory_digest(builder: Any) -> str:
    """A digest of everything ``InventoryFile.dump`` writes for ``builder``'s site."""
    env = builder.env
    digest = blake2b(digest_size=20)
    header = (sphinx.__version__, env.config.project, env.config.version)
    digest.update(repr(header).encode("utf-8", "surrogatepass"))
    uris: dict[str, str] = {}

    def uri_of(docname: str) -> str:
        uri = uris.get(docname)
        if uri is None:
            uri = uris[docname] = builder.get_target_uri(docname)
        return uri

    for domain in env.domains.sorted():
        digest.update(f"\x00{domain.name}\x00".encode())
        for name, shown, typ, docname, anchor, priority in sorted(domain.get_objects()):
            line = f"{name}\x01{shown}\x01{typ}\x01{uri_of(docname)}\x01{anchor}\x01{priority}\n"
            digest.update(line.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _file_state(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def stale_digest(builder: Any) -> str | None:
    """None when the inventory on disk already lists what Sphinx would write for
    ``builder``'s site; otherwise the digest to record once it is written again."""
    path = Path(builder.outdir) / INVENTORY_FILENAME
    digest = inventory_digest(builder)
    state = _file_state(path)
    record = Path(builder.env.doctreedir) / RECORD_NAME
    if state is not None and load_cache(record, RECORD_VERSION) == (
        os.fspath(path),
        digest,
        state,
    ):
        return None
    return digest


def dump_and_record(builder: Any, dump: Callable[[], None], digest: str) -> None:
    """Call ``dump`` (Sphinx's ``dump_inventory``) and record ``digest`` (from
    :func:`stale_digest`) as what the file now lists."""
    dump()
    path = Path(builder.outdir) / INVENTORY_FILENAME
    state = _file_state(path)
    if state is not None:
        record = Path(builder.env.doctreedir) / RECORD_NAME
        save_cache(record, RECORD_VERSION, (os.fspath(path), digest, state))


def dump_if_changed(builder: Any, dump: Callable[[], None]) -> bool:
    """Call ``dump`` (Sphinx's ``dump_inventory``) unless the inventory on disk already
    lists what it would; True when it was called."""
    digest = stale_digest(builder)
    if digest is None:
        return False
    dump_and_record(builder, dump, digest)
    return True
