"""Settings: ``base`` (all environments, env-driven), ``test`` and ``production``."""
