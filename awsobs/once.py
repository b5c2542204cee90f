"""Compute each key's value once, however many threads ask for it at the same time."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")


class OnceMap:
    """Single-flight memo: the first asker computes, concurrent askers wait for its result.

    An exception is kept like a value, so every asker sees the same outcome and the work
    is never retried within the map's life (one scan).
    """

    def __init__(self) -> None:
        self._futures: dict[Hashable, Future[Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            future = self._futures.get(key)
            owner = future is None
            if future is None:
                future = Future()
                self._futures[key] = future
        if owner:
            try:
                future.set_result(compute())
            except BaseException as exc:
                future.set_exception(exc)
        result: T = future.result()
        return result
