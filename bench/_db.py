"""A throwaway test database for benchmarks that need one (the way the test runner makes it)."""

import contextlib
from collections.abc import Iterator

from django.test.utils import setup_databases, teardown_databases


@contextlib.contextmanager
def throwaway_database() -> Iterator[None]:
    """Create the test database of every configured alias from migrations, use it, destroy it.

    SQLite gives an in-memory database; PostgreSQL (DATABASE_URL) a `test_<name>` database, which must
    not exist yet. The real database is never touched.
    """
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        yield
    finally:
        teardown_databases(old_config, verbosity=0)
