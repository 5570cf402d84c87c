def connect() -> None:
    """Register the document processes' workflow hooks."""
