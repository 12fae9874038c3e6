"""The operations tests run against the real stack, as `make run` starts it (Tests/stacks.py)."""
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from stacks import running_stack  # noqa: E402


@pytest.fixture(scope="session")
def stack():
    with running_stack("coffer-operations-") as base:
        yield base
