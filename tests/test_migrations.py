"""The migrations make exactly the schema the models declare, from the command line and from
the application, once even when two processes start together; PostgreSQL where one is given
(TEST_POSTGRES_URL, set by `make test-prod`)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from bot import settings
from bot.migrations import NotMigrated, current, metadata, upgrade

POSTGRES = os.environ.get("TEST_POSTGRES_URL")


def differences(url: str) -> list:
    engine = create_engine(url, future=True)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                metadata())
    engine.dispose()
    return diff


def test_upgrade_makes_exactly_the_models_schema(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(url)
    assert differences(url) == []
    assert current(url) is not None


def test_the_alembic_command_does_the_same(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = settings.child_env(DATABASE_URL=url)
    done = subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"],
                          cwd=settings.ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert differences(url) == []


def test_a_model_change_without_a_migration_is_caught(tmp_path):
    from sqlalchemy import Column, MetaData, Integer, Table
    url = f"sqlite:///{tmp_path / 'drift.db'}"
    upgrade(url)
    drifted = MetaData()
    for table in metadata().tables.values():
        table.to_metadata(drifted)
    Table("not_migrated", drifted, Column("id", Integer, primary_key=True))
    with create_engine(url, future=True).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), drifted)
    assert [d[0] for d in diff] == ["add_table"]


def migrate_twice_at_once(url: str) -> list[str]:
    """`python -m bot migrate` started twice at the same moment; what each printed."""
    env = settings.child_env(DATABASE_URL=url)
    procs = [subprocess.Popen([sys.executable, "-m", "bot", "migrate"], cwd=settings.ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    with create_engine(url, future=True).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    assert differences(url) == []
    return sorted(out.strip() for out, _ in results)


def test_two_processes_starting_together_migrate_once(tmp_path):
    said = migrate_twice_at_once(f"sqlite:///{tmp_path / 'race.db'}")
    assert said[0].startswith("already at revision") and said[1].startswith("migrated from")


def test_a_database_made_before_migrations_is_refused_not_half_recreated(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    with create_engine(url, future=True).begin() as conn:
        conn.execute(text("CREATE TABLE kb_answer (id VARCHAR(96) PRIMARY KEY)"))
    with pytest.raises(NotMigrated, match="made before migrations"):
        upgrade(url)
    assert inspect(create_engine(url)).get_table_names() == ["kb_answer"]


@pytest.mark.skipif(not POSTGRES, reason="TEST_POSTGRES_URL not set (make test-prod sets it)")
def test_postgresql_gets_exactly_the_models_schema():
    engine = create_engine(POSTGRES, future=True)
    with engine.begin() as conn:  # a clean schema of its own
        conn.execute(text("DROP SCHEMA IF EXISTS migration_test CASCADE"))
        conn.execute(text("CREATE SCHEMA migration_test"))
    url = POSTGRES + ("&" if "?" in POSTGRES else "?") + \
        "options=-csearch_path%3Dmigration_test"
    try:
        upgrade(url)
        assert differences(url) == []
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS migration_test CASCADE"))
        engine.dispose()


@pytest.mark.skipif(not POSTGRES, reason="TEST_POSTGRES_URL not set (make test-prod sets it)")
def test_two_processes_starting_together_migrate_postgresql_once():
    """The advisory lock: the second waits for the first, then finds nothing to do."""
    engine = create_engine(POSTGRES, future=True)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS migration_race CASCADE"))
        conn.execute(text("CREATE SCHEMA migration_race"))
    url = POSTGRES + ("&" if "?" in POSTGRES else "?") + \
        "options=-csearch_path%3Dmigration_race"
    try:
        said = migrate_twice_at_once(url)
        assert said[0].startswith("already at revision") and said[1].startswith("migrated from")
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS migration_race CASCADE"))
        engine.dispose()
