"""The outside memory scan tells a live string from a forgotten one: in a real child
interpreter, a text held in a str, a str of wider kind and a bytes object is found live, and
after the program drops them and collects, the same text (its bytes perhaps still in freed
memory) is found live nowhere."""

from __future__ import annotations

import subprocess
import sys

from tests.memscan import MemoryScan

PROGRAM = """
import gc, sys
canary = sys.stdin.readline().strip()
held = [canary + " visit", "\\u2502 " + canary, (canary + " b").encode()]
del canary
print("held", flush=True)
sys.stdin.readline()
del held
gc.collect()
print("dropped", flush=True)
sys.stdin.readline()
"""
CANARY = "Qzxvkwlmnt"
"""Sent to the child on its input, so it is no constant in the child's code."""


def test_live_then_forgotten() -> None:
    child = subprocess.Popen([sys.executable, "-c", PROGRAM], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdin is not None
        child.stdin.write(CANARY + "\n")
        child.stdin.flush()
        assert child.stdout.readline() == "held\n"
        live = {(h.encoding, h.live) for h in MemoryScan(child.pid).hits(CANARY) if h.live}
        assert live == {("utf-8", "str"), ("utf-16-le", "str"), ("utf-8", "bytes")}
        child.stdin.write("\n")
        child.stdin.flush()
        assert child.stdout.readline() == "dropped\n"
        assert [h for h in MemoryScan(child.pid).hits(CANARY) if h.live] == []
    finally:
        child.kill()
        child.wait(timeout=10)
