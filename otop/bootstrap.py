"""Opening the database: engine, migrations, master data and, on an empty demo database, demo data."""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from db import migrate
from db.engine import make_engine, session_scope
from otop.config import Settings
from otop.demo import database_is_empty, load_demo
from otop.masterdata import load_master_data
from otop.retry import translate_disconnects

log = logging.getLogger(__name__)


def open_database(settings: Settings, *, with_demo: bool | None = None) -> Engine:
    """An engine on a migrated database; demo data is loaded when it is empty and demo mode is on.

    A lost database connection reaches the pages as ``otop.retry.DatabaseUnavailable`` (a Thai message).
    """
    settings.ensure_safe()
    engine = translate_disconnects(make_engine(settings.database_url))
    migrate.upgrade(engine)
    load_demo_data = settings.demo_mode if with_demo is None else with_demo
    with session_scope(engine, write=True) as session:
        if load_demo_data and database_is_empty(session):
            counts = load_demo(session)
            log.info("demo data loaded: %s", counts)
        else:
            load_master_data(session)
    return engine
