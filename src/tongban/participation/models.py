"""Tables of participation."""
