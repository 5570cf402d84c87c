"""Reactions of the office app to workflow and case events."""
