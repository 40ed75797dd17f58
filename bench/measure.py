"""Run one command in a child process and print its wall time and peak memory (RSS of the child tree).

Used by bench/run.py so that each measurement starts in a fresh process: `python measure.py CMD...`
prints `seconds max_rss_kib` on its last line.

The peak is the larger of two readings: the kernel's largest resident set of any waited-for descendant
(ru_maxrss), and the largest sum of the resident sets of the whole process tree, sampled every 200 ms from
/proc. The second counts what the first cannot: a JVM that Spark starts as a grandchild and that is never
waited for, and the driver and its JVM together.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path


def _tree_rss_kib(root: int) -> int:
    """Sum of VmRSS over `root` and its descendants (KiB), from /proc: the tree is followed through each
    thread's `children` file, so a sample reads a few files, not every process on a shared machine."""
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            for task in Path(f"/proc/{pid}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue  # the process ended between two reads
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def main() -> int:
    started = time.perf_counter()
    # BENCH_STDOUT names a file for the command's own output (bench/phases.py prints its phases there).
    target = os.environ.get("BENCH_STDOUT")
    stdout = open(target, "w") if target else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    child = subprocess.Popen(sys.argv[1:], stdout=stdout, stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], _tree_rss_kib(child.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = child.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if target:
        stdout.close()
    if child.returncode != 0:
        sys.stderr.write(stderr[-4000:])
        return child.returncode
    # ru_maxrss of waited-for children: the largest resident set of any one of them (KiB on Linux).
    waited = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"{seconds:.3f} {max(waited, peak[0])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
