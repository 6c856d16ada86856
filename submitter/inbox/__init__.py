"""The NGO's inbox server: a small tus 1.0 server that stores ciphertext only."""

from submitter.inbox.server import InboxApp, InboxConfig, bind_socket, serve

__all__ = ["InboxApp", "InboxConfig", "bind_socket", "serve"]
