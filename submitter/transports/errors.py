"""Delivery errors: each leaf says plainly what happened and whether it is worth retrying.

``RetryableDeliveryError`` leaves pause the part and try again later (network
down, Tor not running, server busy or full). ``PermanentDeliveryError`` leaves
stop the part with its reason (the destination refused it). ``detail`` never
carries a URL, host or file name: it may end up in a developer's log.
"""

from __future__ import annotations

from submitter.errors import SubmitterError


class DeliveryError(SubmitterError):
    message = "The part could not be delivered."


class RetryableDeliveryError(DeliveryError):
    message = "The part could not be delivered now; it will be tried again."


class PermanentDeliveryError(DeliveryError):
    message = "The destination refused the part."


class DeliveryCancelledError(DeliveryError):
    message = "Sending was stopped. It will continue from where it stopped next time."


# --- retryable ---


class NetworkUnavailableError(RetryableDeliveryError):
    message = "The destination could not be reached. Sending will be tried again later."


class ProxyUnavailableError(RetryableDeliveryError):
    message = "The Tor connection is not available. Sending will wait and try again."


class ServerBusyError(RetryableDeliveryError):
    message = "The receiving server is busy or having trouble. Sending will be tried again."


class ServerStorageFullError(RetryableDeliveryError):
    message = "The receiving server is out of space. Sending will be tried again later."


class ServerProtocolError(RetryableDeliveryError):
    message = "The receiving server gave a garbled answer. Sending will be tried again."


class FolderUnavailableError(RetryableDeliveryError):
    message = "The folder or USB stick is not available or is full. Plug it in and try again."


class VerifyFailedError(RetryableDeliveryError):
    message = "The copy could not be verified after writing. It will be written again."


# --- permanent ---


class PartRejectedError(PermanentDeliveryError):
    message = "The receiving server refused this part."


class PartTooLargeError(PermanentDeliveryError):
    message = "This part is too large for the destination."


class PartSizeTooLargeError(SubmitterError):
    """Raised before sealing: the chosen part size does not fit the destination."""

    message = (
        "The parts would be too large for the organisation's upload address: an "
        "OnionShare share takes less than 1 GiB at a time. Choose a smaller part size."
    )


class OnionNeedsProxyError(PermanentDeliveryError):
    message = "An .onion address can only be reached through Tor. Start Tor, or set its proxy."


class DestinationInvalidError(PermanentDeliveryError):
    message = "The destination address is not valid."


class ProxyInvalidError(PermanentDeliveryError):
    message = "The proxy setting is not valid: use socks5h://HOST:PORT."


class UnknownTransportError(PermanentDeliveryError):
    message = "This way of sending is not known."
