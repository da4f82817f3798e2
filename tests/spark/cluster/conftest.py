"""One standalone cluster (a master and two one-core workers on 127.0.0.1) for the cluster
tests, stopped with every process it started however they end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.spark.cluster.cluster import Cluster


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    running = Cluster(tmp_path_factory.mktemp("cluster"))
    watchdog = running.watchdog()
    try:
        yield running.start()
    finally:
        watchdog.cancel()
        running.stop()
    assert not running.alive(), "a process the cluster started outlived it"
