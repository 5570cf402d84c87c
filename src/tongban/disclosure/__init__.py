"""Government information disclosure (政务公开): publications such as news and notices."""
