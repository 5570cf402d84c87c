"""Admin of interaction."""
