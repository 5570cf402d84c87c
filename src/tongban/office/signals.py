"""Wiring of the office app into the rest of the platform: event subscriptions, periodic
jobs and workflow hooks. Each part owns one ``connect_*`` function; ``connect`` runs them all
once, from ``OfficeConfig.ready``."""

from __future__ import annotations


def connect() -> None:
    """Register the office app's subscriptions, periodic jobs and workflow hooks."""
