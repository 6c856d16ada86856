"""Outbox errors with plain, fixed messages."""

from __future__ import annotations

from submitter.errors import SubmitterError


class OutboxError(SubmitterError):
    message = "The outbox could not be used."


class PartNotReadyError(OutboxError):
    message = "This part is not complete or not in the outbox folder, so it was not queued."


class UnknownPartError(OutboxError):
    message = "There is no such part in the outbox."


class OutboxCorruptError(OutboxError):
    message = "The outbox records are damaged or were made with another key."


class OutboxBusyError(OutboxError):
    message = "The outbox is already being sent by another window or command."


class NoDestinationError(OutboxError):
    message = "This part has no destination yet: choose where to send it."
