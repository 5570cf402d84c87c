def connect() -> None:
    """Subscribe the step clocks to workflow events and register the sweeps."""
