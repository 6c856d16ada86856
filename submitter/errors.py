"""The one exception root of submitter/.

Leaves live next to the code that raises them and carry a fixed, plain
``message`` that may be shown to a source; ``detail`` is for developers and
logs only and must never contain file names or the organisation on the
source's side.
"""

from __future__ import annotations


class SubmitterError(Exception):
    message = "Something went wrong."

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.message)
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.message} ({self.detail})" if self.detail else self.message
