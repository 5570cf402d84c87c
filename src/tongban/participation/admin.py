"""Admin of participation."""
