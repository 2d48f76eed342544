"""Handing freed memory back to the system (pollinate/memory.py), in a fresh process."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pollinate.memory import _malloc_trim, release_freed_memory

# A burst on a worker thread: 40,000 blocks of 2.5 KB (100 MB), one in eight kept, so
# what is freed lies between live blocks where glibc cannot shrink its heap by itself.
BURST = """
import sys, threading
from pollinate.memory import release_freed_memory

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024

kept = []
def burst():
    blocks = [bytearray(2500) for _ in range(40_000)]
    kept.extend(blocks[::8])
thread = threading.Thread(target=burst)
thread.start()
thread.join()
before = rss()
released = release_freed_memory()
print(released, before, rss())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_memory_freed_between_live_blocks_goes_back_to_the_system():
    done = subprocess.run(
        [sys.executable, "-c", BURST], capture_output=True, text=True, timeout=60, check=True
    )
    released, before, after = done.stdout.split()
    assert released == "True"
    assert int(before) - int(after) > 50  # MB: most of the 87 MB freed


def test_where_the_c_library_cannot_nothing_happens(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    _malloc_trim.cache_clear()
    try:
        assert release_freed_memory() is False
    finally:
        monkeypatch.undo()
        _malloc_trim.cache_clear()
