"""Metadata: detect a file's type from content, show what it reveals, clean it.

Public entry points live in ``submitter.metadata.engine``; cleaners register
in ``submitter.metadata.registry``.
"""
