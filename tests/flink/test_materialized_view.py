"""The parts of live results that need no stack: the materialised view and an unreachable gateway."""

from __future__ import annotations

import pytest

from copilot.flink.gateway import GatewayClient
from copilot.flink.live import MaterializedView
from copilot.validate import check


def test_unreachable_gateway_names_the_address():
    from copilot.errors import ServiceUnavailable

    with pytest.raises(ServiceUnavailable) as err:
        GatewayClient("http://localhost:1").run(check("SELECT 1"))
    assert "localhost:1" in str(err.value) and err.value.exit_code == 3


def test_view_applies_retractions_in_place():
    view = MaterializedView()
    view.apply_batch([("+I", ["DE", 1]), ("+I", ["FR", 1]), ("-U", ["DE", 1]), ("+U", ["DE", 2]), ("-D", ["FR", 1])])
    assert view.rows() == [["DE", 2]]
    assert view.counts.to_dict() == {"inserts": 2, "updates": 1, "retractions": 2, "deletes": 1}


def test_view_capacity_keeps_newest_rows():
    view = MaterializedView(capacity=3)
    view.apply_batch([("+I", [i]) for i in range(5)])
    assert view.rows() == [[2], [3], [4]]
