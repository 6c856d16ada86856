"""What OpenDocument and Office Open XML share: both are zip packages of parts.

The zip around the parts tells things of its own (a comment, when each part
was last saved), and both formats end the same way: tracked changes accepted,
comments removed, the parts written back into a normalised zip.
"""

from __future__ import annotations

from submitter.metadata.container import Survey
from submitter.metadata.model import Category
from submitter.metadata.ziputil import ZipContents, is_normalised, write_zip

TRACKED_CHANGES_NOTE = (
    "Tracked changes are accepted and comments removed, as they carry names."
)


def package_survey(contents: ZipContents) -> Survey:
    """A new survey holding what the zip wrapper itself reveals."""
    survey = Survey()
    if contents.untrusted_comment:
        survey.add("Zip comment", contents.untrusted_comment.decode("utf-8", "replace"),
                   Category.HIDDEN_CONTENT)
    if not all(is_normalised(m) for m in contents.members):
        survey.add("Times stored in the zip", "modification times of the parts", Category.TIME)
    return survey


def finish_package(survey: Survey, parts: list[tuple[str, bytes, bool]], clean: bool,
                   warning: str) -> tuple[Survey, bytes]:
    """The survey with the format's warning, and the cleaned zip when cleaning."""
    survey.warn(warning)
    if not clean:
        return survey, b""
    survey.note(TRACKED_CHANGES_NOTE)
    return survey, write_zip(parts)
