"""How the tests are spread over pytest-xdist's workers (``nox -s tests``: ``--dist=loadgroup``):
which tests share a worker, and which go first.

Groups: the tests of a file that share a fixture made once per module or class run on one
worker together (group ``file:PATH``), so it is made once; the files of ONE_WORKER run on one
worker each; a test marked ``xdist_group(NAME)`` keeps that group. pytest-xdist 3.8 tells its
scheduler a test's group by appending ``@GROUP`` to the test's id through a field pytest 9.2
no longer reads (pytest-dev/pytest-xdist#1386), so its groups are silently lost; the id is
tagged here the way pytest 9.2 keeps it, on the workers of a loadgroup run only.

Order: the work goes out longest first, a group as one piece, by the durations of the last
run, which the controller keeps in pytest's cache; so the last piece to start is a short
one and no worker waits idle at the end. A test not timed yet counts UNTIMED seconds.
xdist's own reordering (by number of tests) is turned off, as this order replaces it.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

#: Fixture scopes made once for the tests of one file (or class) that share them.
FILE_SCOPES = frozenset({"module", "class"})
#: Test files whose tests run on one worker for a cost paid once per process, with why.
ONE_WORKER = {
    # pygamma-agreement compiles its numba functions when imported (10 to 20 s of processor);
    # test_readme runs the README's agreement command in its process.
    "tests/test_agreement.py": "pygamma",
    "tests/test_readme.py": "pygamma",
}
#: Where pytest's cache keeps the last duration of each test, in seconds.
DURATIONS_KEY = "propaganda-spans/durations"
#: What a test not timed yet is taken to last, in seconds.
UNTIMED = 0.5

#: This run's durations (setup, call and teardown) by test id, gathered by the controller.
_timed: dict[str, float] = defaultdict(float)


def group_of(item: pytest.Item) -> str | None:
    """The xdist group a test runs in, or None when it may run on any worker."""
    marks = [
        mark.args[0] if mark.args else mark.kwargs.get("name", "default")
        for mark in item.iter_markers("xdist_group")
    ]
    if marks:
        return "_".join(sorted(str(mark) for mark in marks))
    if not isinstance(item, pytest.Function):
        return None
    path = item.nodeid.split("::")[0]
    if path in ONE_WORKER:
        return ONE_WORKER[path]
    scopes = {
        definition.scope
        for definitions in item._fixtureinfo.name2fixturedefs.values()
        for definition in definitions
    }
    return f"file:{path}" if scopes & FILE_SCOPES else None


def arrange(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test with its group; on a worker of a loadgroup run, also put the work in
    order, longest first, and tag the ids with the groups."""
    groups: dict[str, str] = {}
    for item in items:
        group = group_of(item)
        if group is None:
            continue
        if not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(group))
        groups[item.nodeid] = group
    if not getattr(config.option, "loadgroup", False):
        return
    cache = getattr(config, "cache", None)
    durations: dict[str, float] = cache.get(DURATIONS_KEY, {}) if cache is not None else {}
    items[:] = longest_first(items, groups, durations)
    for item in items:
        if item.nodeid in groups:
            tag(item, groups[item.nodeid])


def longest_first(
    items: list[pytest.Item], groups: dict[str, str], durations: dict[str, float]
) -> list[pytest.Item]:
    """The tests in pieces of work (a group, or a test on its own), the longest piece first;
    pieces of equal length, and the tests within a piece, keep their order."""
    piece = {item.nodeid: groups.get(item.nodeid, item.nodeid) for item in items}
    length: dict[str, float] = defaultdict(float)
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        length[piece[item.nodeid]] += durations.get(item.nodeid, UNTIMED)
        first.setdefault(piece[item.nodeid], index)
    return sorted(items, key=lambda item: (-length[piece[item.nodeid]], first[piece[item.nodeid]]))


def tag(item: pytest.Item, group: str) -> None:
    """Append ``@GROUP`` to the test's id, as xdist's loadgroup scheduler reads it."""
    node_id = getattr(item, "_id", None)
    if node_id is not None and hasattr(node_id, "parse"):
        item._id = node_id.parse(f"{item.nodeid}@{group}")


def untagged(nodeid: str) -> str:
    """A test's id without the ``@GROUP`` tags (xdist's rule: an ``@`` after any ``]``)."""
    while nodeid.rfind("@") > nodeid.rfind("]"):
        nodeid = nodeid.rsplit("@", 1)[0]
    return nodeid


def record(report: pytest.TestReport) -> None:
    """Add a phase of a test to this run's durations."""
    _timed[untagged(report.nodeid)] += report.duration


def keep_durations(config: pytest.Config) -> None:
    """On the controller (or a run without xdist), store this run's durations over the
    last ones, for the next run's order."""
    cache = getattr(config, "cache", None)
    if cache is None or hasattr(config, "workerinput") or not _timed:
        return
    known: dict[str, float] = cache.get(DURATIONS_KEY, {})
    known.update({nodeid: round(seconds, 3) for nodeid, seconds in _timed.items()})
    cache.set(DURATIONS_KEY, known)


def no_reordering(config: pytest.Config) -> None:
    """xdist sorts loadgroup's pieces by their number of tests unless told not to; the
    order of :func:`longest_first` is the one wanted."""
    if getattr(config.option, "dist", None) == "loadgroup":
        config.option.loadscopereorder = False
