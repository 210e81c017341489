"""`catalog sync` against an address where no Kafka listens: exit 3 naming it, within a bounded time (no stack)."""

from __future__ import annotations

import pytest

from copilot.catalog.store import YamlCatalogStore
from copilot.catalog.sync import CatalogSync
from copilot.errors import ServiceUnavailable


@pytest.mark.slow  # the client's own timeout (copilot.kafka.admin.TIMEOUT_S) is the bound: ~8 s of waiting
def test_unreachable_kafka_is_exit_3_within_bounded_time(tmp_path):
    with pytest.raises(ServiceUnavailable) as info:
        CatalogSync(YamlCatalogStore(tmp_path), bootstrap="127.0.0.1:1").run()
    assert info.value.exit_code == 3 and "Kafka" in info.value.message and "127.0.0.1:1" in info.value.message
