"""Tongban (一网通办): an open-source collaborative e-government platform."""

__version__ = "0.1.0"
