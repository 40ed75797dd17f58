"""Run one command in a child process and print its wall time and peak memory (RSS of the child tree).

Used by bench/run.py so that each measurement starts in a fresh process: `python measure.py CMD...`
prints `seconds max_rss_kib` on its last line.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time


def main() -> int:
    started = time.perf_counter()
    done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        return done.returncode
    # ru_maxrss of waited-for children: the largest resident set of any one of them (KiB on Linux).
    print(f"{seconds:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
