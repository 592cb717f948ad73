"""The measurements: each a small function in a registry, run by ``run.py``.

A measurement takes a :class:`Context` (the sizes and the shared workloads) and
returns its figures. A measurement of a feature the library does not have yet
says so through ``available`` and is reported as not available, never faked.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import stores
import stores_postgres
import timing
import workloads as w

import service_recovery as sr

Figures = dict[str, float]


@dataclass(frozen=True)
class Sizes:
    """How much work each measurement does."""

    rounds: int
    """Interleaved repetitions of every timed variant; figures are their medians."""
    apply_paths: int
    """Full default paths walked per round (14 commands each)."""
    replay_cases: int
    """Cases rebuilt from their histories per round."""
    memory_cases: int
    """Live cases held while memory is measured."""
    snapshot_cases: int
    """Cases turned into dicts and back per round."""
    scan_cases: int
    """Cases scanned for overdue deadlines (the figure is scaled to 100k)."""
    verify_rounds: int
    """Times the default workflow is verified."""
    store_commands: int
    """Durable commands per round through the Desk, and through the database floor."""
    store_loads: int
    """Loads of a stored 15-event case per round."""
    store_due_cases: int
    """Stored cases the Desk's due list is read from (its database is built once, kept)."""
    postgres: bool
    """Whether the store figures on PostgreSQL are measured (they start a server)."""

    def scaled(self, factor: float) -> Sizes:
        """These sizes with every count multiplied by *factor* (at least 1 each)."""
        return Sizes(
            rounds=self.rounds,
            apply_paths=max(1, round(self.apply_paths * factor)),
            replay_cases=max(1, round(self.replay_cases * factor)),
            memory_cases=max(1, round(self.memory_cases * factor)),
            snapshot_cases=max(1, round(self.snapshot_cases * factor)),
            scan_cases=max(1, round(self.scan_cases * factor)),
            verify_rounds=self.verify_rounds,
            store_commands=max(1, round(self.store_commands * factor)),
            store_loads=max(1, round(self.store_loads * factor)),
            store_due_cases=max(100, round(self.store_due_cases * factor)),
            postgres=self.postgres,
        )

    @property
    def stores(self) -> stores.Sizes:
        """The sizes ``benchmarks/stores.py`` reads."""
        return stores.Sizes(
            rounds=self.rounds,
            commands=self.store_commands,
            loads=self.store_loads,
            due_cases=self.store_due_cases,
        )


FULL = Sizes(
    rounds=9,
    apply_paths=300,
    replay_cases=10_000,
    memory_cases=100_000,
    snapshot_cases=2_000,
    scan_cases=100_000,
    verify_rounds=3,
    store_commands=stores.FULL.commands,
    store_loads=stores.FULL.loads,
    store_due_cases=stores.FULL.due_cases,
    postgres=True,
)
QUICK = Sizes(
    rounds=3,
    apply_paths=40,
    replay_cases=1_000,
    memory_cases=5_000,
    snapshot_cases=200,
    scan_cases=5_000,
    verify_rounds=1,
    store_commands=stores.QUICK.commands,
    store_loads=stores.QUICK.loads,
    store_due_cases=stores.QUICK.due_cases,
    postgres=False,
)


@dataclass
class Context:
    """The sizes, the workflow under test, and workloads shared between measurements."""

    sizes: Sizes
    workflow: sr.Workflow = field(default_factory=sr.Workflow)
    _stages: tuple[sr.Stage, ...] = ()
    _histories: list[tuple[sr.Event, ...]] = field(default_factory=list)

    @property
    def stages(self) -> tuple[sr.Stage, ...]:
        """The stage after each command of the full default path."""
        if not self._stages:
            self._stages = w.path_stages(self.workflow)
        return self._stages

    def histories(self, count: int) -> list[tuple[sr.Event, ...]]:
        """The 15-event histories of cases ``0 .. count - 1`` (built once, then shared)."""
        for number in range(len(self._histories), count):
            self._histories.append(w.history(self.workflow, number, self.stages))
        return self._histories[:count]


@dataclass(frozen=True)
class Measurement:
    """One entry of the registry."""

    name: str
    figures: tuple[str, ...]
    """The figures it reports (every one is in the JSON, ``null`` when not measured)."""
    run: Callable[[Context], Figures]
    available: Callable[[], str | None] = lambda: None
    """``None`` when the library has what it measures, else why not."""
    wanted: Callable[[Sizes], str | None] = lambda sizes: None
    """``None`` when it is measured at these sizes, else why not (it is then skipped)."""


class SuiteBroken(RuntimeError):
    """A workload did not do what it should: the figures would mean nothing."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise SuiteBroken(message)


# -- apply ----------------------------------------------------------------------------


def measure_apply(context: Context) -> Figures:
    """Per command: ``Workflow.apply`` vs a bare ``transitions`` trigger vs a dict FSM."""
    workflow = context.workflow
    graph = workflow.policy.graph
    opened = w.open_case(workflow, 1, w.START)
    commands = w.path(w.START)
    steps = w.baseline_steps(workflow)
    machine = w.bare_machine(graph)
    table = w.dict_table(graph)
    initial = graph.initial.value
    paths = context.sizes.apply_paths

    _check(w.walk(workflow, opened, commands).stage is sr.Stage.CLOSED, "path must close")
    _check(w.run_bare_machine(machine, steps, initial) == "closed", "bare machine must close")
    _check(w.run_dict_fsm(table, steps, initial) == "closed", "dict FSM must close")

    def library() -> None:
        for _ in range(paths):
            w.walk(workflow, opened, commands)

    def bare() -> None:
        for _ in range(paths):
            w.run_bare_machine(machine, steps, initial)

    def floor() -> None:
        for _ in range(paths):
            w.run_dict_fsm(table, steps, initial)

    samples = timing.interleaved(
        {"apply": library, "transitions": bare, "dict": floor}, context.sizes.rounds
    )
    per_command = 1e6 / (paths * len(commands))
    return {
        "apply_us": timing.median(samples["apply"]) * per_command,
        "transitions_trigger_us": timing.median(samples["transitions"]) * per_command,
        "dict_fsm_us": timing.median(samples["dict"]) * per_command,
        "apply_vs_transitions_ratio": timing.median_ratio(samples, "apply", "transitions"),
        "apply_vs_dict_ratio": timing.median_ratio(samples, "apply", "dict"),
    }


def measure_apply_parts(context: Context) -> Figures:
    """Where one ``apply`` spends its time: each part timed alone along the same path.

    The engine's move; the decision (the move, then the guards, the policy's reasons
    and the time order); the new case (the facts the event changes, the copy, the
    history grown). What ``apply_us`` has beyond the decision and the new case is its
    argument, idempotency and hook checks.

    Reads the workflow's internals (the engine's move, the evaluation, the fold into a
    new case): a figure of a part renamed away is reported as an error, never guessed.
    """
    from service_recovery._model._case import changes_of, grow

    workflow = context.workflow
    commands = w.path(w.START)
    cases = [w.open_case(workflow, 1, w.START)]
    for command in commands[:-1]:
        cases.append(workflow.apply(cases[-1], command))
    moves = list(zip(cases, commands, context.stages, strict=True))
    paths = context.sizes.apply_paths
    move, evaluate = workflow._engine.move, workflow.judge.decide
    _check(all(move(case, command) is stage for case, command, stage in moves), "moves differ")

    def run(part: Callable[[sr.Case, sr.Command, sr.Stage], object]) -> Callable[[], None]:
        def repeat() -> None:
            for _ in range(paths):
                for case, command, stage in moves:
                    part(case, command, stage)

        return repeat

    samples = timing.interleaved(
        {
            "move": run(lambda case, command, _: move(case, command)),
            "evaluate": run(lambda case, command, _: evaluate(case, command)),
            "new_case": run(
                lambda case, command, stage: grow(
                    case, changes_of(case, command, stage), command, stage
                )
            ),
        },
        context.sizes.rounds,
    )
    per_command = 1e6 / (paths * len(moves))
    return {
        "apply_engine_move_us": timing.median(samples["move"]) * per_command,
        "apply_decision_us": timing.median(samples["evaluate"]) * per_command,
        "apply_new_case_us": timing.median(samples["new_case"]) * per_command,
    }


def measure_apply_hook(context: Context) -> Figures:
    """What one no-op hook costs ``apply``: the path walked with it and without, interleaved.

    The hook runs after ``Close``, once a path: the figure is mostly what attaching any
    hook makes every other command pay.
    """
    plain = context.workflow
    hooked = sr.Workflow(plain.policy)
    calls: list[sr.HookContext] = []
    hooked.hooks.after(sr.Close)(calls.append)
    commands = w.path(w.START)
    opened = w.open_case(plain, 1, w.START)
    paths = context.sizes.apply_paths
    _check(w.walk(hooked, opened, commands).stage is sr.Stage.CLOSED, "path must close")
    _check(len(calls) == 1, "the hook must run once a path")

    def walk(workflow: sr.Workflow) -> Callable[[], None]:
        def repeat() -> None:
            for _ in range(paths):
                w.walk(workflow, opened, commands)

        return repeat

    samples = timing.interleaved(
        {"none": walk(plain), "one_noop": walk(hooked)}, context.sizes.rounds
    )
    per_command = 1e6 / (paths * len(commands))
    return {
        "apply_no_hook_us": timing.median(samples["none"]) * per_command,
        "apply_one_noop_hook_us": timing.median(samples["one_noop"]) * per_command,
        "apply_noop_hook_ratio": timing.median_ratio(samples, "one_noop", "none"),
    }


def measure_redelivery(context: Context) -> Figures:
    """A re-delivered command (its id already applied) on a case of 10 and of 1,000 events.

    Each case is built as a host builds it, by applying commands that carry ids; the
    command re-delivered is the latest, which a scan of the history would reach last.
    """
    workflow = context.workflow
    short = w.long_case(workflow, 10)
    long = w.long_case(workflow, 1_000)
    _check((len(short.history), len(long.history)) == (10, 1_000), "cases must have their length")
    again_short, again_long = short.history.commands[-1], long.history.commands[-1]
    _check(workflow.apply(long, again_long) is long, "a re-delivery must be a no-op")
    repeats = context.sizes.apply_paths * len(w.path(w.START))

    def redeliver(case: sr.Case, command: sr.Command) -> Callable[[], None]:
        apply = workflow.apply

        def repeat() -> None:
            for _ in range(repeats):
                apply(case, command)

        return repeat

    samples = timing.interleaved(
        {"10": redeliver(short, again_short), "1000": redeliver(long, again_long)},
        context.sizes.rounds,
    )
    return {
        "redelivery_10_events_us": timing.median(samples["10"]) * 1e6 / repeats,
        "redelivery_1000_events_us": timing.median(samples["1000"]) * 1e6 / repeats,
        "redelivery_1000_vs_10_ratio": timing.median_ratio(samples, "1000", "10"),
    }


# -- replay ---------------------------------------------------------------------------


def measure_replay(context: Context) -> Figures:
    """Rebuild cases from their histories (events are facts: no guards run)."""
    workflow = context.workflow
    histories = context.histories(context.sizes.replay_cases)
    applied = w.walk(workflow, w.open_case(workflow, 0, w.start_of(0)), w.path(w.start_of(0)))
    _check(workflow.replay(histories[0]) == applied, "replay must rebuild the applied case")
    events = sum(len(history) for history in histories)

    def replay() -> None:
        for history in histories:
            workflow.replay(history)

    samples = timing.interleaved({"replay": replay}, context.sizes.rounds)
    seconds = timing.median(samples["replay"])
    return {
        "replay_events_per_s": events / seconds,
        "replay_case_us": seconds / len(histories) * 1e6,
    }


# -- snapshots ------------------------------------------------------------------------


def measure_snapshots(context: Context) -> Figures:
    """``to_dict`` and ``from_dict`` of 15-event cases, in cases per second."""
    workflow = context.workflow
    cases = [workflow.replay(h) for h in context.histories(context.sizes.snapshot_cases)]
    snapshots = [sr.to_dict(case) for case in cases]
    _check(sr.from_dict(snapshots[0]) == cases[0], "from_dict must rebuild the case")

    def dump() -> None:
        for case in cases:
            sr.to_dict(case)

    def load() -> None:
        for snapshot in snapshots:
            sr.from_dict(snapshot)

    samples = timing.interleaved({"to_dict": dump, "from_dict": load}, context.sizes.rounds)
    return {
        "to_dict_per_s": len(cases) / timing.median(samples["to_dict"]),
        "from_dict_per_s": len(cases) / timing.median(samples["from_dict"]),
    }


# -- memory ---------------------------------------------------------------------------


def _traced_bytes(build: Callable[[], object]) -> tuple[float, object]:
    """Bytes still allocated after *build* returns (what it keeps alive), and its result."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = build()
        gc.collect()
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    return used, kept


def measure_memory(context: Context) -> Figures:
    """Memory per live case: many cases with a 15-event history each, held at once.

    The cases are built from fresh commands (each with its own datetimes, case id and
    customer), laid out exactly as cases a host applied the commands to. Texts are
    shared, as the benchmark measures what the library adds to a host's own data.
    """
    workflow = context.workflow
    stages = context.stages
    count = context.sizes.memory_cases

    def build() -> list[sr.Case]:
        return [workflow.replay(w.history(workflow, n, stages)) for n in range(count)]

    used, kept = _traced_bytes(build)
    _check(isinstance(kept, list) and len(kept) == count, "every case must be kept")
    loaded, loaded_bytes = _loaded_case_bytes(context, max(1, count // 10))
    return {"bytes_per_case": used / count, "bytes_per_loaded_case": loaded_bytes / loaded}


def _loaded_case_bytes(context: Context, count: int) -> tuple[int, float]:
    """What *count* cases loaded from JSON snapshots keep, as a host loading its store holds them.

    Unlike replayed cases they own every text: each comes from its own JSON text.
    """
    workflow = context.workflow
    texts = [json.dumps(sr.to_dict(workflow.replay(h))) for h in context.histories(count)]

    def load() -> list[sr.Case]:
        return [sr.from_dict(json.loads(text)) for text in texts]

    used, kept = _traced_bytes(load)
    _check(isinstance(kept, list) and len(kept) == count, "every loaded case must be kept")
    return count, used


# -- time -----------------------------------------------------------------------------


def _has_due() -> str | None:
    if hasattr(sr.Workflow, "due"):
        return None
    return "the library has no Workflow.due (deadlines) yet"


def measure_overdue_scan(context: Context) -> Figures:
    """Scan live cases at every stage of the path for the ones needing attention.

    The budget figure is a worker's periodic scan of the cases it holds (the library
    remembers each case's schedule, so a scan after the first reads it); the cold
    figure is the first scan of freshly loaded cases.
    """
    workflow = context.workflow
    stages = context.stages
    count = context.sizes.scan_cases
    histories = [w.history(workflow, n, stages, length=1 + n % 15) for n in range(count)]
    now = w.start_of(count) + timedelta(hours=6)
    scan = workflow.due  # type: ignore[attr-defined, unused-ignore]
    per_100k = 1e3 * 100_000 / count

    def load() -> list[sr.Case]:
        return [workflow.replay(history) for history in histories]

    cases = load()
    _check(len(scan(cases, now=now)) > 0, "some cases must need attention")
    samples = timing.interleaved({"scan": lambda: scan(cases, now=now)}, context.sizes.rounds)

    def cold_scan() -> float:
        fresh = load()
        gc.collect()
        start = time.perf_counter()
        scan(fresh, now=now)
        return time.perf_counter() - start

    cold = [cold_scan() for _ in range(max(1, context.sizes.rounds // 3))]
    return {
        "overdue_scan_100k_ms": timing.median(samples["scan"]) * per_100k,
        "overdue_scan_cold_100k_ms": timing.median(cold) * per_100k,
    }


# -- policies -------------------------------------------------------------------------


def _has_verify() -> str | None:
    if hasattr(sr, "verify"):
        return None
    return "the library has no sr.verify (policy verification) yet"


def measure_verify(context: Context) -> Figures:
    """Exhaustively verify the default workflow (each run from scratch: no warm-up run)."""
    verify = sr.verify  # type: ignore[attr-defined, unused-ignore]
    workflow = sr.Workflow()
    seconds = []
    for _ in range(max(1, context.sizes.verify_rounds)):
        gc.collect()
        start = time.perf_counter()
        report = verify(workflow)
        seconds.append(time.perf_counter() - start)
        _check(getattr(report, "ok", False) is True, "the default workflow must verify")
    return {"verify_default_s": timing.median(seconds)}


# -- stores ---------------------------------------------------------------------------


def measure_stores(context: Context) -> Figures:
    """The Desk and SQLiteStore against the database floor (``benchmarks/stores.py``)."""
    stores.KEPT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=stores.KEPT) as scratch:
        return stores.measure_sqlite(context.sizes.stores, Path(scratch), stores.KEPT)


def measure_stores_postgres(context: Context) -> Figures:
    """The Desk and PostgresStore against the server's floor (``benchmarks/stores_postgres.py``)."""
    return stores_postgres.measure(context.sizes.stores)


def _postgres_wanted(sizes: Sizes) -> str | None:
    if sizes.postgres or os.environ.get(stores_postgres.SERVER):
        return None
    return f"full run only: it starts a PostgreSQL server (or set {stores_postgres.SERVER})"


def _has_postgres() -> str | None:
    missing = [name for name in ("psycopg", "pgserver") if importlib.util.find_spec(name) is None]
    if missing and not (missing == ["pgserver"] and os.environ.get(stores_postgres.SERVER)):
        return f"needs {' and '.join(missing)} (the postgres and dev extras)"
    return None


REGISTRY: tuple[Measurement, ...] = (
    Measurement(
        "apply",
        (
            "apply_us",
            "transitions_trigger_us",
            "dict_fsm_us",
            "apply_vs_transitions_ratio",
            "apply_vs_dict_ratio",
        ),
        measure_apply,
    ),
    Measurement(
        "apply_parts",
        ("apply_engine_move_us", "apply_decision_us", "apply_new_case_us"),
        measure_apply_parts,
    ),
    Measurement(
        "apply_hook",
        ("apply_no_hook_us", "apply_one_noop_hook_us", "apply_noop_hook_ratio"),
        measure_apply_hook,
    ),
    Measurement(
        "redelivery",
        ("redelivery_10_events_us", "redelivery_1000_events_us", "redelivery_1000_vs_10_ratio"),
        measure_redelivery,
    ),
    Measurement("replay", ("replay_events_per_s", "replay_case_us"), measure_replay),
    Measurement("snapshots", ("to_dict_per_s", "from_dict_per_s"), measure_snapshots),
    Measurement("memory", ("bytes_per_case", "bytes_per_loaded_case"), measure_memory),
    Measurement(
        "overdue_scan",
        ("overdue_scan_100k_ms", "overdue_scan_cold_100k_ms"),
        measure_overdue_scan,
        _has_due,
    ),
    Measurement("verify", ("verify_default_s",), measure_verify, _has_verify),
    Measurement("stores", stores.SQLITE_FIGURES, measure_stores),
    Measurement(
        "stores_postgres",
        tuple(stores_postgres.UNITS),
        measure_stores_postgres,
        _has_postgres,
        _postgres_wanted,
    ),
)
"""Every measurement, in the order they run."""
