"""Slows down password guessing: after a few failures for one username from one address, each
further attempt must wait, doubling up to a ceiling. In memory: per API process."""

from __future__ import annotations

import threading
import time

from modelhub.errors import TooManyRequests


class LoginThrottle:
    def __init__(self, free_attempts: int = 5, base_delay_s: float = 2.0, max_delay_s: float = 300.0):
        self.free_attempts = free_attempts
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self._failures: dict[tuple[str, str], tuple[int, float]] = {}
        self._lock = threading.Lock()

    def check(self, username: str, address: str) -> None:
        with self._lock:
            count, blocked_until = self._failures.get((username.lower(), address), (0, 0.0))
        wait = blocked_until - time.monotonic()
        if count >= self.free_attempts and wait > 0:
            raise TooManyRequests(
                f"too many failed logins for {username}; try again in {int(wait) + 1} s",
                details={"retry_after_s": int(wait) + 1},
                headers={"Retry-After": str(int(wait) + 1)},
            )

    def failed(self, username: str, address: str) -> None:
        key = (username.lower(), address)
        with self._lock:
            count = self._failures.get(key, (0, 0.0))[0] + 1
            over = count - self.free_attempts
            delay = min(self.max_delay_s, self.base_delay_s * 2**over) if over >= 0 else 0.0
            self._failures[key] = (count, time.monotonic() + delay)
            if len(self._failures) > 100_000:  # bound memory under a spray of usernames
                self._failures.clear()

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop((username.lower(), address), None)
