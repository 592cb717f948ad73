"""The ``service-recovery`` command line."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import InvalidPolicy, InvalidValue, RecoveryError

if TYPE_CHECKING:
    from ._desk._desk import Desk
    from ._desk._store import Store
    from ._rulebook._policy import RecoveryPolicy


def _demo(args: argparse.Namespace) -> int:
    from ._demo import run_demo

    run_demo(color=args.color, db=args.db)
    return 0


def _load(args: argparse.Namespace) -> RecoveryPolicy:
    """The policy a sub-command works on: a TOML file, or a preset by name."""
    from . import presets
    from ._rulebook._policy import RecoveryPolicy

    if args.file is not None and getattr(args, "preset", None) is not None:
        raise InvalidPolicy(["give a policy FILE or --preset NAME, not both"])
    if args.file is not None:
        return RecoveryPolicy.from_toml_file(Path(args.file))
    return presets.by_name(getattr(args, "preset", None) or "default")


def _problems(err: InvalidPolicy, source: str) -> int:
    print(f"{source}: invalid policy ({len(err.problems)} problem(s))", file=sys.stderr)
    for problem in err.problems:
        print(f"  - {problem}", file=sys.stderr)
    return 2


def _validate(args: argparse.Namespace) -> int:
    try:
        policy = _load(args)
    except InvalidPolicy as err:
        return _problems(err, args.file)
    graph = policy.graph
    print(
        f"{args.file}: ok: policy {policy.name!r}, {len(graph.stages)} stages, "
        f"{len(graph.edges)} edges, {len(policy.requirements)} required step(s)"
    )
    return 0


def _verify(args: argparse.Namespace) -> int:
    from ._decision._verify import verify
    from ._workflow import Workflow

    try:
        policy = _load(args)
    except InvalidPolicy as err:
        return _problems(err, args.file or args.preset)
    report = verify(Workflow(policy))
    print(report)
    return 0 if report.ok else 1


def _diagram(args: argparse.Namespace) -> int:
    from ._decision._diagram import diagram
    from ._workflow import Workflow

    try:
        policy = _load(args)
    except InvalidPolicy as err:
        return _problems(err, args.file or args.preset)
    sys.stdout.write(diagram(Workflow(policy), args.format, self_loops=args.self_loops))
    return 0


def _schema(args: argparse.Namespace) -> int:
    import json

    from ._io._schema import policy_schema

    print(json.dumps(policy_schema(), indent=2, ensure_ascii=False))
    return 0


def _policy_source(command: argparse.ArgumentParser) -> None:
    command.add_argument("file", nargs="?", metavar="FILE", help="a policy TOML file")
    command.add_argument(
        "--preset",
        metavar="NAME",
        help="a built-in policy: default, heard, last, blast, latte, learn, iso_10002",
    )


# -- cases on a store ----------------------------------------------------------


def _open_store(db: str) -> Store:
    """The store *db* names: a PostgreSQL URL, or a SQLite file."""
    if db.startswith(("postgresql://", "postgres://")):
        module = importlib.import_module("service_recovery.stores._postgres")
        store: Store = module.PostgresStore(db)
        return store
    from .stores import SQLiteStore

    return SQLiteStore(db)


def _desk(args: argparse.Namespace) -> Desk:
    from ._desk._desk import Desk
    from ._workflow import Workflow

    return Desk(Workflow(_load(args)), _open_store(args.db))


def _now(text: str | None) -> datetime:
    from ._time._clock import SystemClock

    if text is None:  # the command line is the host here: it chooses the real time
        return SystemClock().now()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidValue(f"--now: expected an ISO 8601 time, got {text!r}") from None
    if moment.utcoffset() is None:
        raise InvalidValue(f"--now: {text!r} has no time zone; add one, e.g. +00:00")
    return moment


def _cases_list(args: argparse.Namespace) -> int:
    from ._model._stages import Stage

    stage = None if args.stage is None else Stage(args.stage)
    store = _open_store(args.db)
    try:
        rows = store.cases(stage=stage, limit=args.limit)
    finally:
        store.close()
    for row in rows:
        due = "-" if row.next_due_at is None else row.next_due_at.isoformat(timespec="minutes")
        print(f"{row.case_id}\t{row.stage.value}\tv{row.version}\tdue {due}")
    print(f"{len(rows)} case(s)", file=sys.stderr)
    return 0


def _cases_show(args: argparse.Namespace) -> int:
    store = _open_store(args.db)
    try:
        case = store.load(args.case_id)
        row = store.summary(args.case_id)
    finally:
        store.close()
    print(f"{case.id}: {case.stage.label}, version {case.version}, policy {row.policy}")
    print(f"  {case.customer.id} via {case.channel.value}, {case.severity.value}: {case.summary}")
    for number, event in enumerate(case.history, start=1):
        when = event.at.isoformat(timespec="minutes")
        print(f"  {number:>3}  {when}  {event.kind:<16} {event.by.id:<10} -> {event.stage.value}")
    return 0


def _cases_tick(args: argparse.Namespace) -> int:
    desk = _desk(args)
    try:
        changed = desk.tick(_now(args.now))
    finally:
        desk.store.close()
    for case in changed:
        print(f"{case.id}: breach recorded ({case.stage.value}, v{case.version})")
    print(f"{len(changed)} case(s) with new breaches", file=sys.stderr)
    return 0


def _cases_deliver(args: argparse.Namespace) -> int:
    desk = _desk(args)
    try:
        if args.effects is not None:
            module_name, _, function = args.effects.partition(":")
            register = getattr(importlib.import_module(module_name), function or "register")
            register(desk)
        report = desk.deliver(_now(args.now))
        waiting = desk.store.pending_effects()
    finally:
        desk.store.close()
    for key in report.delivered:
        print(f"delivered {key}")
    for key, error in report.failed:
        print(f"failed {key}: {error}")
    print(
        f"{len(report.delivered)} delivered, {len(report.failed)} failed, "
        f"{waiting} waiting in the outbox",
        file=sys.stderr,
    )
    return 1 if report.failed else 0


def _add_cases(commands: Any) -> None:
    cases = commands.add_parser("cases", help="list, show, tick and deliver cases in a store")
    verbs = cases.add_subparsers(dest="verb", required=True, metavar="VERB")

    def verb(name: str, help: str, run: Any, *, policy: bool = False) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = verbs.add_parser(name, help=help)
        parser.add_argument(
            "--db", required=True, help="a SQLite file (cases.sqlite) or a postgresql:// URL"
        )
        if policy:
            parser.add_argument("--policy", dest="file", metavar="FILE", help="a policy TOML file")
            parser.add_argument("--preset", metavar="NAME", help="a built-in policy (default)")
            parser.add_argument("--now", help="the time to act at, ISO 8601 (default: now)")
        parser.set_defaults(run=run)
        return parser

    listing = verb("list", "the stored cases, by id", _cases_list)
    listing.add_argument("--stage", help="only cases at this stage (e.g. resolving)")
    listing.add_argument("--limit", type=int, help="at most this many")
    show = verb("show", "one case and its history", _cases_show)
    show.add_argument("case_id", metavar="CASE_ID")
    verb("tick", "record the breaches now due, once", _cases_tick, policy=True)
    deliver = verb("deliver", "run the durable effects waiting in the outbox", _cases_deliver)
    deliver.add_argument("--policy", dest="file", metavar="FILE", help="a policy TOML file")
    deliver.add_argument("--preset", metavar="NAME", help="a built-in policy (default)")
    deliver.add_argument("--now", help="the time to act at, ISO 8601 (default: now)")
    deliver.add_argument(
        "--effects",
        metavar="MODULE[:FUNCTION]",
        help="a function of yours that registers effects on the desk (default name: register)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per job."""
    parser = argparse.ArgumentParser(
        prog="service-recovery",
        description="Run complaints through a recovery workflow that enforces the practice.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser("demo", help="walk a realistic complaint from report to close")
    demo.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the output (default: when writing to a terminal)",
    )
    demo.add_argument("--db", help="keep the case in this SQLite file (default: a temporary one)")
    demo.set_defaults(run=_demo)
    validate = commands.add_parser("validate", help="check a policy TOML file; list every problem")
    validate.add_argument("file", metavar="FILE", help="a policy TOML file")
    validate.set_defaults(run=_validate)
    verify = commands.add_parser(
        "verify", help="prove a policy's guarantees over every reachable state"
    )
    _policy_source(verify)
    verify.set_defaults(run=_verify)
    draw = commands.add_parser("diagram", help="draw a policy's stage graph as text")
    _policy_source(draw)
    draw.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    draw.add_argument(
        "--self-loops",
        action="store_true",
        help="also draw the commands every open stage accepts in place",
    )
    draw.set_defaults(run=_diagram)
    schema = commands.add_parser("schema", help="print the JSON Schema of policy files")
    schema.set_defaults(run=_schema)
    _add_cases(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except InvalidPolicy as err:
        return _problems(err, getattr(args, "file", None) or "policy")
    except RecoveryError as err:  # a store or case problem: said plainly, no traceback
        print(f"service-recovery: {err}", file=sys.stderr)
        return 2
    sys.stdout.flush()
    return code
