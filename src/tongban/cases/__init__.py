"""Applications (办件): lifecycle, numbers, materials, corrections, appointments, status query."""
