"""Tables of interaction."""
