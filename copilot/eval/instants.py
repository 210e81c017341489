"""Reading points in time as recorded data and Flink results write them: ISO-8601 with a `T` or a space,
`Z` or an offset for a zone, or epoch milliseconds."""

from __future__ import annotations

from datetime import datetime, timezone


def parse_iso(text: str) -> datetime | None:
    """'2026-12-01T06:00:00Z', '2026-12-01 06:00:00.123', '2026-12-01T07:00:00+01:00' -> datetime (naive when
    the text names no zone); None when it is not such a time."""
    iso = text.strip().replace(" ", "T", 1)
    if iso.endswith("Z"):
        iso = iso[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        return None


def epoch_millis(moment: datetime) -> int:
    """Epoch milliseconds of `moment` (a naive time is UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)
