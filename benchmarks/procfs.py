"""What the benchmarks read of running processes, from /proc (Linux)."""

from __future__ import annotations

import os
from collections.abc import Iterator


def process_stats() -> Iterator[tuple[int, list[str]]]:
    """(pid, fields of /proc/<pid>/stat after the command name) for every live process: fields[1] is
    the parent pid, [2] the process group, [11:15] the user/system CPU ticks of it and of its reaped
    children, [21] the resident pages. A process that ends while being read is skipped."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                yield int(entry), f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
