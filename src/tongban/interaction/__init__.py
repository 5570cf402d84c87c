"""Government-citizen interaction (政民互动): appeals to the 12345 hotline, their routing,
handling and supervision."""
