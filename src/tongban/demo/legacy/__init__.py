"""Demo legacy systems: a 公安 household register, a 市场监管 enterprise register and a
人社 social insurance export, generated deterministically with planted inconsistencies.

See README.md beside this file for the schemas and what is planted.
"""

from tongban.demo.legacy.build import DEFAULT_SEED, FILES, GENERATOR_VERSION, build, generate
from tongban.demo.legacy.manifest import Manifest

__all__ = ["DEFAULT_SEED", "FILES", "GENERATOR_VERSION", "Manifest", "build", "generate"]
