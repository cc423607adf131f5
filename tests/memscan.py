"""Read another CPython 3.11 process's memory from outside (``/proc/PID/maps`` and
``/proc/PID/mem``) and tell whether a text is held by a *live* ``str`` or ``bytes`` object.

Freed memory keeps its bytes until reused, so a raw match proves little; a match counts as live
when it lies inside the data of an object whose header is intact: ``ob_type`` is the address of
``PyUnicode_Type`` (or ``PyBytes_Type``) in that process, the reference count is a small
positive number (a freed block's first word is the allocator's free-list pointer), and the
object's length covers the match. The type addresses are found without symbols: the same
interpreter binary (or libpython) is mapped in both processes, so this process's ``id(str)``,
turned into an offset in that file, is translated through the other process's mapping of it.
"""

from __future__ import annotations

import struct
import sys
from dataclasses import dataclass
from pathlib import Path

assert sys.version_info[:2] == (3, 11), "the object layouts below are CPython 3.11's"

WORD = 8
STR_ASCII_DATA = 48
"""sizeof(PyASCIIObject) in 3.11: refcnt, type, length, hash, state, wstr."""
STR_COMPACT_DATA = 72
"""sizeof(PyCompactUnicodeObject): adds utf8_length, utf8, wstr_length."""
BYTES_DATA = 32
"""offsetof(PyBytesObject, ob_sval): refcnt, type, size, hash."""
LOOK_BACK = 1 << 16
"""How far before a match an object header is looked for (longer texts are not kept)."""
MAX_REGION = 1 << 30


@dataclass(frozen=True)
class Mapping:
    start: int
    end: int
    perms: str
    offset: int
    path: str


def mappings(pid: int | str) -> list[Mapping]:
    found = []
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        fields = line.split(maxsplit=5)
        start, end = (int(x, 16) for x in fields[0].split("-"))
        path = fields[5] if len(fields) == 6 else ""
        found.append(Mapping(start, end, fields[1], int(fields[2], 16), path))
    return found


def translate(address: int, pid: int) -> int:
    """The address in process pid of what lies at ``address`` in this process's mapped files."""
    for own in mappings("self"):
        if own.start <= address < own.end and own.path.startswith("/"):
            file_offset = address - own.start + own.offset
            break
    else:
        raise LookupError(f"{address:#x} is in no file mapping of this process")
    for theirs in mappings(pid):
        size = theirs.end - theirs.start
        if theirs.path == own.path and theirs.offset <= file_offset < theirs.offset + size:
            return theirs.start + file_offset - theirs.offset
    raise LookupError(f"process {pid} does not map {own.path} (another interpreter?)")


@dataclass(frozen=True)
class Hit:
    address: int
    encoding: str
    live: str | None
    """"str" or "bytes" when a live object holds the match, else None (freed or foreign)."""


class MemoryScan:
    """One reading of a process's writable memory, searched for texts."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.str_type = translate(id(str), pid)
        self.bytes_type = translate(id(bytes), pid)
        self.regions: list[tuple[int, bytes]] = []
        with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
            for region in mappings(pid):
                if not region.perms.startswith("rw") or region.end - region.start > MAX_REGION:
                    continue
                try:
                    mem.seek(region.start)
                    self.regions.append((region.start, mem.read(region.end - region.start)))
                except OSError:
                    continue  # a guard page or a mapping that went away meanwhile

    def around(self, address: int, size: int = 60) -> bytes:
        """The bytes near an address, for a failure message that shows what held a match."""
        for start, data in self.regions:
            if start <= address < start + len(data):
                at = address - start
                return data[max(0, at - size):at + size]
        return b""

    def hits(self, text: str) -> list[Hit]:
        """Every place text is in memory, encoded as a str of any kind (or as UTF-8 bytes)."""
        assert text.isascii(), "a 1-byte str of non-ASCII text is Latin-1: not searched for"
        found = []
        for encoding in ("utf-8", "utf-16-le", "utf-32-le"):
            needle = text.encode(encoding)
            for start, data in self.regions:
                at = data.find(needle)
                while at >= 0:
                    found.append(Hit(start + at, encoding,
                                     self._holder(data, at, len(needle), encoding)))
                    at = data.find(needle, at + 1)
        return found

    def _holder(self, data: bytes, at: int, size: int, encoding: str) -> str | None:
        lowest = max(0, at - LOOK_BACK)
        header = (at - BYTES_DATA) // WORD * WORD
        while header >= lowest:
            refcnt, kind_of = struct.unpack_from("<QQ", data, header)
            if 0 < refcnt < 1 << 32:
                if kind_of == self.str_type and self._in_str(data, header, at, size, encoding):
                    return "str"
                if kind_of == self.bytes_type and encoding == "utf-8":
                    (length,) = struct.unpack_from("<q", data, header + 16)
                    end = header + BYTES_DATA + length
                    if header + BYTES_DATA <= at and at + size <= end <= len(data):
                        return "bytes"
            header -= WORD
        return None

    @staticmethod
    def _in_str(data: bytes, header: int, at: int, size: int, encoding: str) -> bool:
        (length,) = struct.unpack_from("<q", data, header + 16)
        state = data[header + 32]
        kind, compact, ascii_only = (state >> 2) & 7, (state >> 5) & 1, (state >> 6) & 1
        if not compact or kind not in (1, 2, 4) or length < 0:
            return False
        if {1: "utf-8", 2: "utf-16-le", 4: "utf-32-le"}[kind] != encoding:
            return False
        begin = header + (STR_ASCII_DATA if ascii_only else STR_COMPACT_DATA)
        # A "length" read from random words is mostly huge: the object must fit its region.
        return begin <= at and at + size <= begin + length * kind <= len(data)
