"""Organisations: administrative divisions, government departments and staff roles."""
