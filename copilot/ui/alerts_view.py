"""Firing alerts of watches, live: a panel refreshed every few seconds from the alerts topic."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from copilot.service.watches import AlertFeed

REFRESH_S = 5


@st.cache_resource(show_spinner=False)
def alert_feed() -> AlertFeed:
    return AlertFeed()  # one follower of the alerts topic for every session


def _ago(fired_at: str | None) -> str:
    if not fired_at:
        return ""
    try:
        when = dt.datetime.fromisoformat(fired_at.replace("Z", "+00:00"))
    except ValueError:
        return fired_at
    seconds = (dt.datetime.now(dt.timezone.utc) - when).total_seconds()
    return f"{seconds:.0f} s ago" if seconds < 120 else f"{seconds / 60:.0f} min ago"


def _values(values: dict | None) -> str:
    return ", ".join(f"{k} = {v:,.4g}" if isinstance(v, (int, float)) else f"{k} = {v}" for k, v in (values or {}).items())


@st.fragment(run_every=REFRESH_S)
def panel(limit: int = 20, recent_minutes: float | None = None, key: str = "alerts") -> None:
    """The newest alerts (only those fired in the last `recent_minutes` when given), redrawn live."""
    feed = alert_feed()
    rows = feed.poll()
    if feed.error:
        st.caption(feed.error)
    if recent_minutes is not None:
        cutoff = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=recent_minutes)
        rows = [r for r in rows if (fired := _fired(r)) is not None and fired >= cutoff]
    if not rows:
        if recent_minutes is None:
            st.caption("No alerts yet. Create a watch: `flink-copilot watch create --name N --question Q --when CONDITION`.")
        return
    for row in rows[:limit]:
        group = f" · {row['group_key']}" if row.get("group_key") else ""
        st.markdown(
            f":material/notifications_active: **{row.get('watch')}**{group} — {row.get('condition')} · "
            f"{_values(row.get('values'))} · window {row.get('window_start')} → {row.get('window_end')} "
            f"· {_ago(row.get('fired_at'))}"
        )


def _fired(row: dict) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(row.get("fired_at")).replace("Z", "+00:00"))
    except ValueError:
        return None
