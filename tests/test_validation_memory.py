"""The validator streams, so it runs on an Arrow pool that hands freed batches back to the
system (jemalloc), unless the user chose a pool with Arrow's own variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from dataset.builder.pipeline import BuildResult
from validation.memory import POOL_VARIABLE

REPO = Path(__file__).resolve().parents[1]

POOL_AFTER_VALIDATING = """
import sys
from pathlib import Path
import pyarrow as pa
from validation.run import validate_dataset
validate_dataset(Path(sys.argv[1]), previous=None)
print(pa.default_memory_pool().backend_name)
"""


def pool_after_validating(folder: Path, chosen: str | None) -> str:
    env = {key: value for key, value in os.environ.items() if key != POOL_VARIABLE}
    if chosen is not None:
        env[POOL_VARIABLE] = chosen
    done = subprocess.run(
        [sys.executable, "-c", POOL_AFTER_VALIDATING, str(folder)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def jemalloc_available() -> bool:
    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        return False
    return True


@pytest.mark.skipif(not jemalloc_available(), reason="this pyarrow was built without jemalloc")
def test_validation_runs_on_jemalloc(built: BuildResult) -> None:
    assert pool_after_validating(built.out, None) == "jemalloc"


def test_a_pool_the_user_chose_is_kept(built: BuildResult) -> None:
    assert pool_after_validating(built.out, "system") == "system"
