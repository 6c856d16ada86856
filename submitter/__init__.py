"""Submitter's domain: cleaners, bundles, pipeline, outbox, transports, opener, CLI. No Qt."""

__version__ = "0.1.0"
