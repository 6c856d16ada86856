"""The durable outbox (queue.py) and delivery passes over it (courier.py)."""

from submitter.outbox.courier import Courier, DeliveryReport
from submitter.outbox.queue import Destination, Outbox, PartId, PartInfo, staging_path
from submitter.outbox.schedule import Backoff, SendWindow

__all__ = ["Backoff", "Courier", "DeliveryReport", "Destination", "Outbox", "PartId", "PartInfo",
           "SendWindow", "staging_path"]
