"""Shared fixtures. Actor fixtures carry intent (STYLE.md "Tests")."""

import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("PAKTA_TESTING", "1")

from hypothesis import settings as hypothesis_settings

# CI runs the same examples every time (a red run must be reproducible); locally hypothesis
# explores new ones. Failures print the seed either way.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

REPO = Path(__file__).resolve().parent.parent
CORPUS_DIR = Path(os.environ.get("PAKTA_CORPUS_DIR", REPO.parent / "shared" / "corpus"))
REQUIRE_CORPUS = os.environ.get("PAKTA_REQUIRE_CORPUS") == "1"
_corpus_skips: list[str] = []


def pytest_sessionstart(session: pytest.Session) -> None:
    if REQUIRE_CORPUS and not CORPUS_DIR.is_dir():
        raise pytest.UsageError(f"PAKTA_REQUIRE_CORPUS=1 but the corpus is missing at {CORPUS_DIR}")


@pytest.fixture
def corpus_dir(request: pytest.FixtureRequest) -> Path:
    """The external test corpus, read in place; skipped loudly where it is absent."""
    if not CORPUS_DIR.is_dir():
        _corpus_skips.append(request.node.nodeid)
        pytest.skip(f"corpus not found at {CORPUS_DIR} (set PAKTA_CORPUS_DIR)")
    return CORPUS_DIR


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if _corpus_skips:
        terminalreporter.write_sep("!", f"{len(_corpus_skips)} CORPUS TESTS SKIPPED: corpus missing at {CORPUS_DIR}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: runs in .ci/run with DATABASE_URL"))


@pytest.fixture(autouse=True)
def _media_root(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> None:
    """Tests roll back holiday rows the per-process calendar cache may have loaded."""
    from integrity.workdays import clear_cache

    clear_cache()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Throttle counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
