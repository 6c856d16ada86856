"""The explicit list of cleaner modules. Importing one registers its cleaners.

A frozen build sees exactly these; add a module here when adding a family.
"""

from __future__ import annotations

