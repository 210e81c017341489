"""Streamlit pieces every page shares: cached services, error guard, password gate, sidebar."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import streamlit as st

from copilot import settings
from copilot.ui import format as fmt, services as svc, state

if TYPE_CHECKING:
    from copilot.wiring import Services

log = logging.getLogger("copilot.ui")

# The app's pages: one module each in copilot/app/views, in navigation order: (name, title, icon).
APP_DIR = Path(__file__).resolve().parent.parent / "app"
PAGES: tuple[tuple[str, str, str], ...] = (
    ("chat", "Chat", ":material/chat:"),
    ("catalog", "Catalog", ":material/menu_book:"),
    ("jobs", "Jobs", ":material/work:"),
    ("audit", "Audit trail", ":material/history:"),
    ("alerts", "Alerts", ":material/notifications:"),
)


def page_path(name: str) -> str:
    """The page's script as Streamlit wants it: relative to the app's main script (copilot/app)."""
    path = APP_DIR / "views" / f"{name}.py"
    if not path.is_file():
        raise FileNotFoundError(f"no page {name!r}: {path} does not exist")
    return path.relative_to(APP_DIR).as_posix()


CHAT_PAGE, CATALOG_PAGE, JOBS_PAGE, AUDIT_PAGE, ALERTS_PAGE = (page_path(name) for name, _t, _i in PAGES)


def settings_key() -> str:
    """The settings table as the app process sees it now, and the catalog it names: the key of the cached
    services, so they are built once per process, and again only if the table changes (as between tests)."""
    from copilot.catalog.working import catalog_dir  # seeds the working catalog the first time

    return repr((str(catalog_dir()), [(s.name, settings.get(s.name)) for s in settings.SETTINGS]))


def services() -> Services:
    """The app process's composition root (copilot.wiring): one catalog store, index, planner, audit sink."""
    return _services(settings_key())


def catalog_service() -> svc.CatalogService:
    return _catalog_service(settings_key())


def chat_service() -> svc.ChatService:
    """One per browser session: its own gateway session, so one user's tables never meet another's."""
    if "chat_service" not in st.session_state:
        st.session_state["chat_service"] = svc.ChatService(catalog_service())
    return st.session_state["chat_service"]


def jobs_service() -> svc.JobsService:
    return _jobs_service(settings_key())


@st.cache_resource(show_spinner=False)
def _services(key: str) -> Services:
    from copilot.wiring import build

    services = build()
    services.warm_in_background()  # once per settings: the first question with a word the catalog lacks is quick
    return services


@st.cache_resource(show_spinner=False)
def _catalog_service(key: str) -> svc.CatalogService:
    return svc.CatalogService(_services(key))


@st.cache_resource(show_spinner=False)
def _jobs_service(key: str) -> svc.JobsService:
    return svc.JobsService(_catalog_service(key))


@st.cache_data(ttl=5, show_spinner=False)
def stack_status() -> list[dict]:
    return svc.stack_status()


def show_error(exc: BaseException) -> None:
    shown = fmt.shown_error(exc)
    st.error(shown.message, icon=":material/error:")
    if shown.hint:
        st.caption(f"What to try: {shown.hint}")


@contextmanager
def guarded() -> Iterator[None]:
    """Errors become a message and a hint; never a traceback in the browser. Streamlit's own control
    flow (st.rerun, st.stop) derives from BaseException and passes through."""
    try:
        yield
    except Exception as exc:
        show_error(exc)


def page_setup() -> None:
    """Every page starts here: the session's keys exist before anything reads them."""
    state.ensure(st.session_state)  # type: ignore[arg-type]  # a MutableMapping in all but name


def password_gate() -> bool:
    """True when the visitor may see the app: behind an authenticating proxy, the proxy's user header
    must be present; with a password configured, the right one must be given."""
    header = settings.get("COPILOT_APP_AUTH_HEADER")
    if header:
        user = state.proxy_user(dict(st.context.headers), header)
        if not user:
            st.title("Flink Copilot")
            st.error("Sign in through your organisation's login: this app only answers requests its proxy vouches for.")
            return False
        st.session_state["proxy_user"] = user
    expected = settings.get("COPILOT_APP_PASSWORD")
    if not expected or st.session_state.get("authenticated"):
        return True
    st.title("Flink Copilot")
    with st.form("login"):
        given = st.text_input("Password", type="password")
        if st.form_submit_button("Sign in"):
            if state.password_ok(given, expected):
                st.session_state["authenticated"] = True
                st.rerun()
            st.error("That password is not right.")
    return False


def sidebar() -> None:
    with st.sidebar:
        st.subheader("Stack")
        for row in stack_status():
            icon = fmt.UP if row.get("running") else fmt.DOWN
            version = f" · {row['version']}" if row.get("version") else ""
            st.markdown(f"{icon} **{row['component']}** `{row.get('address') or '—'}`{version}")
        planner = svc.active_planner()
        st.subheader("Planner")
        st.caption(planner["label"])
        st.page_link(AUDIT_PAGE, label="Audit trail of this conversation", icon=":material/history:")
        if st.button("New conversation", key="sidebar_new_conversation"):
            state.new_conversation(st.session_state)  # type: ignore[arg-type]
            st.rerun()
