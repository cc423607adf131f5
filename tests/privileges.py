"""Tests of file permissions: root ignores file modes, so such tests step down to "nobody"."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

NOBODY = 65534


@contextmanager
def unprivileged() -> Iterator[None]:
    """Run as a user that file modes apply to (root ignores them)."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)


@contextmanager
def shared_folder(prefix: str) -> Iterator[Path]:
    """A folder the unprivileged user can reach (tmp_path's parents are private to root)."""
    top = Path(tempfile.mkdtemp(prefix=prefix))
    top.chmod(0o711)
    try:
        yield top
    finally:
        shutil.rmtree(top, ignore_errors=True)
