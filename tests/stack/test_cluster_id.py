"""The KRaft cluster id given to `kafka-storage format -t`: never one its argument parser reads as an option."""

from __future__ import annotations

import base64

from copilot.stack.config import new_cluster_id


def test_a_cluster_id_never_starts_with_a_dash_and_decodes_to_16_bytes():
    ids = {new_cluster_id() for _ in range(5000)}  # about 78 of 5,000 plain draws start with "-"
    assert len(ids) == 5000
    assert not any(i.startswith("-") for i in ids)
    assert all(len(base64.urlsafe_b64decode(i + "==")) == 16 for i in ids)
