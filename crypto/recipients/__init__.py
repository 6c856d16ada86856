"""Recipient types: the one agility point of the age format.

Each type lives in its own module and registers a parser here explicitly, so a
frozen app finds every type without import magic.
"""
