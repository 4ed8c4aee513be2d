"""Migrations: apply on an empty database, match the models, and go back down."""

from sqlalchemy import inspect
from sqlmodel import SQLModel

from db import migrate
from tests.conftest import _Databases


def test_migrations_upgrade_and_downgrade_on_an_empty_database(databases: _Databases, backend: str) -> None:
    engine = databases.new_engine(backend)
    migrate.upgrade(engine)
    assert migrate.is_up_to_date(engine)
    tables = set(inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(engine)
    assert migrate.is_up_to_date(engine)


def test_models_and_migrations_agree(databases: _Databases, backend: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = databases.new_engine(backend)
    migrate.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []
