"""The ``service-recovery`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ._errors import InvalidPolicy

if TYPE_CHECKING:
    from ._rulebook._policy import RecoveryPolicy


def _demo(args: argparse.Namespace) -> int:
    from ._demo import run_demo

    run_demo(color=args.color)
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    code: int = args.run(args)
    sys.stdout.flush()
    return code
