"""Citizen-facing pages (portal shell): thin views over services and selectors."""
