import pytest


@pytest.fixture
def demo(demo_catalog):
    """Catalog tests need the service catalog in the demo province (and so does every
    fixture built on ``demo``, such as ``login_as``)."""
    return demo_catalog
