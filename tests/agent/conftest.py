import sys
from pathlib import Path

import pytest

from copilot.settings import DEMO_CATALOG_DIR

sys.path.insert(0, str(Path(__file__).parent))

from copilot.catalog.store import YamlCatalogStore  # noqa: E402

# The contract's demo domain (CONTRACT.md §4): the gold questions are written against these topics.
DEMO_TOPICS = ("orders", "payments", "shipments", "page_views", "customers", "products")


@pytest.fixture(scope="session")
def topics():
    loaded = YamlCatalogStore(DEMO_CATALOG_DIR).load().topics
    return {name: loaded[name] for name in DEMO_TOPICS}


FLEET = Path(__file__).resolve().parents[2] / "examples" / "catalogs" / "fleet"


@pytest.fixture(scope="session")
def demo():
    """The whole demo catalog (the Avro editions included)."""
    return YamlCatalogStore(Path(DEMO_CATALOG_DIR)).load().topics


@pytest.fixture(scope="session")
def fleet():
    """The IoT fleet catalog of examples/catalogs/fleet."""
    return YamlCatalogStore(FLEET).load().topics
