"""Settings for the test suite: the real settings with a test environment."""

import os

os.environ.setdefault("VERZUIM_ENVIRONMENT", "test")
os.environ.setdefault("VERZUIM_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

from verzuim.settings import *  # noqa: E402,F403

DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1", ".verzuim.test"]

import warnings  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")

# Tests change tenants and help texts with queryset updates (no signals) between requests:
# the per-process memories are off here, and tests/core/test_memo.py turns them on.
TENANT_MEMO_SECONDS = 0
HELP_MEMO_SECONDS = 0
FIGURES_CACHE_SECONDS = 0  # tests/absence/test_figure_cache.py turns it on
