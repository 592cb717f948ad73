"""Diagrams of a workflow's stage graph as text: Mermaid or Graphviz DOT.

Each edge is labelled with its command, its route (which outcome takes it)
and the names of the guards that can refuse it, so a reader sees where the
practice is enforced. No binary is needed: paste Mermaid into Markdown, or
render DOT with any Graphviz.
"""

from __future__ import annotations

import json

from .._errors import InvalidValue
from .._model._stages import Stage
from .._rulebook._graph import EVERY_OPEN_STAGE, Edge
from .._rulebook._policy import RecoveryPolicy
from ._engine import Engine
from ._judge import Judge, Judged, judge_of

FORMATS = ("mermaid", "dot")


def diagram(
    workflow: Judged | RecoveryPolicy, format: str = "mermaid", *, self_loops: bool = False
) -> str:
    """Draw *workflow*'s stage graph as Mermaid or DOT text, guard names on the edges.

    >>> import service_recovery as sr
    >>> text = sr.diagram(sr.Workflow(sr.presets.LAST))
    >>> print(text.splitlines()[0])
    stateDiagram-v2
    >>> venting = next(line for line in text.splitlines() if "FinishVenting" in line)
    >>> venting.split(":")[0].strip(), "summary confirmed" in venting
    ('listening --> understood', True)

    Args:
        workflow: a :class:`Workflow` (or a policy, drawn as a workflow of it
            would be). The guards on the edges are the ones its
            :attr:`~Workflow.judge` runs.
        format: ``"mermaid"`` or ``"dot"``.
        self_loops: also draw the commands every open stage accepts in place
            (escalate, approve, waits) and the withdrawals; by default they are
            summarised in a note.

    Raises:
        InvalidValue: an unknown format, or *workflow* is neither a workflow nor a policy.
    """
    if isinstance(workflow, RecoveryPolicy):
        judge = Judge(workflow, Engine(workflow.graph))
    else:
        judge = judge_of(workflow)
    if format not in FORMATS:
        raise InvalidValue(f"format: expected one of {', '.join(FORMATS)}, got {format!r}")
    graph = judge.engine.graph
    edges = list(graph.edges if not self_loops else graph.all_edges())
    labels = [(edge, _label(judge, edge)) for edge in edges]
    everywhere = ", ".join(kind.__name__ for kind in EVERY_OPEN_STAGE)
    note = (
        f"every open stage also accepts {everywhere} in place, "
        "and every stage before a solution is accepted Withdraw to withdrawn"
    )
    if format == "dot":
        return _dot(judge.policy.name, graph.initial, labels, None if self_loops else note)
    return _mermaid(graph.initial, labels, None if self_loops else note)


def edge_guards(judge: Judge, edge: Edge) -> tuple[str, ...]:
    """The names of the guards that can refuse *edge*: its command's, then its destination's."""
    guards = judge.guards.on(edge.command, edge.dest)
    return tuple(dict.fromkeys(guard.name for guard in guards))


def _label(judge: Judge, edge: Edge) -> str:
    text = edge.command.__name__
    if edge.route is not None:
        text += f" ({edge.route.name})"
    guards = edge_guards(judge, edge)
    if guards:
        text += " [" + ", ".join(guards) + "]"
    return text


def _mermaid(initial: Stage, labels: list[tuple[Edge, str]], note: str | None) -> str:
    lines = ["stateDiagram-v2", f"    [*] --> {initial.value}"]
    lines += [
        f"    {edge.source.value} --> {edge.dest.value}: {_safe(text)}" for edge, text in labels
    ]
    if note is not None:
        lines.append(f"    note right of {initial.value}: {_safe(note)}")
    return "\n".join(lines) + "\n"


def _safe(text: str) -> str:
    """Mermaid labels end at a newline and treat ``:`` and ``;`` specially."""
    return text.replace(":", " ").replace(";", ",")


def _dot(name: str, initial: Stage, labels: list[tuple[Edge, str]], note: str | None) -> str:
    lines = [
        f"digraph {json.dumps(name)} {{",
        "    rankdir=LR;",
        "    node [shape=box, style=rounded];",
        '    start [shape=point, label=""];',
        f"    start -> {json.dumps(initial.value)};",
    ]
    lines += [
        f"    {json.dumps(edge.source.value)} -> {json.dumps(edge.dest.value)} "
        f"[label={json.dumps(text)}];"
        for edge, text in labels
    ]
    if note is not None:
        lines.append(f"    note [shape=note, label={json.dumps(note)}];")
    return "\n".join([*lines, "}"]) + "\n"
