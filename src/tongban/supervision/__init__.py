"""E-supervision (电子监察): working-day clocks, warnings, statistics; service ratings (好差评)."""
