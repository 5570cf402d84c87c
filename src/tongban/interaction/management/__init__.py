"""Management commands of the interaction app."""
