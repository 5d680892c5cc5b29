"""Async Alembic environment wired to the models' metadata and geoalchemy2's helpers."""

import asyncio
from logging.config import fileConfig

from geoalchemy2 import alembic_helpers
from sqlalchemy.engine import Connection

from alembic import context
from tourism.database import create_engine
from tourism.models import Base

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _configure(**kwargs) -> None:
    context.configure(
        target_metadata=target_metadata,
        include_object=alembic_helpers.include_object,
        process_revision_directives=alembic_helpers.writer,
        render_item=alembic_helpers.render_item,
        compare_type=True,
        **kwargs,
    )


def _url() -> str | None:
    # Tests and the CLI pass the URL; otherwise settings decide (embedded or TOURISM_DATABASE_URL).
    return config.attributes.get("url")


def run_migrations_offline() -> None:
    from tourism.config import get_settings
    from tourism.database import database_url

    _configure(url=_url() or database_url(get_settings()), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _run_sync(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = create_engine(url=_url())
    try:
        async with engine.connect() as connection:
            # A migration may rewrite a whole table: the API's per-query timeout is not for it.
            await connection.exec_driver_sql("SET statement_timeout = 0")
            await connection.commit()  # a session setting; Alembic opens its own transaction
            await connection.run_sync(_run_sync)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
