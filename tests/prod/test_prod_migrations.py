"""Migrations on the shape's PostgreSQL: tests/test_migrations.py's PostgreSQL tests (exact
schema; two processes starting together migrate once, under the advisory lock) run with
TEST_POSTGRES_URL pointing at it, and so does the shape's own start-up (`python -m bot kb`)."""
from __future__ import annotations

import subprocess
import sys

from bot import settings
from bot.migrations import current


def test_the_postgresql_migration_tests_pass_against_the_shapes_server(shape):
    url = shape.postgres.create_database("migration_tests")
    env = dict(shape.env, TEST_POSTGRES_URL=url)
    done = subprocess.run([sys.executable, "-m", "pytest", "tests/test_migrations.py", "-q",
                           "-k", "postgresql", "-p", "no:cacheprovider"],
                          cwd=settings.ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "2 passed" in done.stdout and "skipped" not in done.stdout, done.stdout[-500:]


def test_the_shape_started_at_the_newest_revision(shape, app_url):
    from bot.migrations import config
    from alembic.script import ScriptDirectory
    assert current(app_url) == ScriptDirectory.from_config(config()).get_current_head()
