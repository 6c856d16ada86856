"""When to try again: exponential backoff with jitter, and delayed sending in a window."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

_RNG: random.Random = secrets.SystemRandom()


@dataclass(frozen=True)
class Backoff:
    base: float = 30.0
    factor: float = 2.0
    cap: float = 3600.0
    # Full servers need longer to make room; do not hammer them.
    storage_full: float = 1800.0

    def delay(self, attempts: int, *, storage_full: bool = False, rng: random.Random = _RNG
              ) -> float:
        """Seconds until the next try after ``attempts`` failed tries ("equal jitter")."""
        ceiling = min(self.cap, self.base * self.factor ** max(0, attempts - 1))
        if storage_full:
            ceiling = max(ceiling, self.storage_full)
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


@dataclass(frozen=True)
class SendWindow:
    """Send at a random moment between ``start`` and ``end`` (Unix seconds), so the
    upload time does not line up with the moment the files were copied."""

    start: float
    end: float

    def pick(self, rng: random.Random = _RNG) -> float:
        low, high = sorted((self.start, self.end))
        return rng.uniform(low, high)
