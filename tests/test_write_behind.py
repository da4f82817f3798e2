"""Writing a batch while the next one is built: in order, and no error lost or swapped."""

from __future__ import annotations

import threading

import pytest

from dataset.builder.output import WriteBehind


def test_jobs_run_one_at_a_time_in_the_order_given() -> None:
    done: list[int] = []
    threads: set[str] = set()

    def job(number: int) -> None:
        threads.add(threading.current_thread().name)
        done.append(number)

    with WriteBehind() as behind:
        for number in range(20):
            behind.submit(lambda number=number: job(number))  # type: ignore[misc]
    assert done == list(range(20))
    assert len(threads) == 1 and threading.current_thread().name not in threads


def test_a_failed_job_is_raised() -> None:
    def fail() -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"), WriteBehind() as behind:
        behind.submit(fail)


def test_the_blocks_own_error_wins_over_the_jobs() -> None:
    def fail() -> None:
        raise OSError("disk full")

    with pytest.raises(ValueError, match="bad input"), WriteBehind() as behind:
        behind.submit(fail)
        raise ValueError("bad input")
