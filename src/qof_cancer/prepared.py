"""Work a run needs that takes nothing from its data (reading the published practice figures and
fitting a model on them, compiling the report's templates), done on a thread beside the run.

The work is started once the inputs are read: reading them keeps both cores of a small machine busy,
while the rules and the features after them leave one idle much of the time. Each piece is waited for
where it is used, and an error in it is raised there, as if it had been done in place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor

__all__ = ["Prepared"]


class Prepared:
    """Named pieces of work, run one after another on one thread once `start` is called."""

    def __init__(self, tasks: Mapping[str, Callable[[], object]]) -> None:
        self._tasks = dict(tasks)
        self._futures: dict[str, Future] = {}
        self._pool: ThreadPoolExecutor | None = None

    def start(self) -> None:
        if self._pool is None and self._tasks:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qof-cancer-prepare")
            self._futures = {name: self._pool.submit(task) for name, task in self._tasks.items()}

    def wait(self, *names: str) -> None:
        """Wait for the started pieces of these names; an error in one is raised here. (Work never
        started is no loss: each piece only readies what its feature or file would do itself.)"""
        for name in names:
            if (future := self._futures.get(name)) is not None:
                future.result()

    def close(self) -> None:
        """Drop the pieces not yet begun and wait for the one running (a run that stopped early)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Prepared:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
