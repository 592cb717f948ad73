"""diagram: the stage graph as Mermaid or DOT text, guard names on the edges."""

from __future__ import annotations

import re

import pytest

import service_recovery as sr
from service_recovery import presets

MERMAID_EDGE = re.compile(r"    (\w+) --> (\w+): (\w+)(?: \(([^)]*)\))?(?: \[([^\]]*)\])?")
DOT_EDGE = re.compile(
    r'    "(\w+)" -> "(\w+)" \[label="(\w+)(?: \(([^)]*)\))?(?: \[([^\]]*)\])?"\];'
)


def parsed(text: str, pattern: re.Pattern[str]) -> list[tuple[str | None, ...]]:
    return [match.groups() for match in map(pattern.fullmatch, text.splitlines()) if match]


class TestMermaid:
    @pytest.mark.parametrize("policy", presets.PRESETS.values(), ids=lambda p: p.name)
    def test_draws_every_edge(self, policy: sr.RecoveryPolicy) -> None:
        """Each declared edge is one labelled line, in declaration order."""
        text = sr.diagram(sr.Workflow(policy))
        edges = [(s, d, c) for s, d, c, *_ in parsed(text, MERMAID_EDGE)]
        expected = [(e.source.value, e.dest.value, e.command.__name__) for e in policy.graph.edges]
        assert expected == edges
        assert text.startswith(f"stateDiagram-v2\n    [*] --> {policy.graph.initial.value}\n")

    def test_guard_names_on_edges(self) -> None:
        """The contract guards appear on the edges they protect."""
        lines = {
            (s, d, c, r): g or ""
            for s, d, c, r, g in parsed(sr.diagram(sr.Workflow()), MERMAID_EDGE)
        }
        propose = lines[("diagnosed", "solution_proposed", "ProposeSolution", None)]
        close = lines[("followed_up", "closed", "Close", None)]
        assert {"venting finished", "within authority"} <= set(propose.split(", "))
        assert {"followed up"} <= set(close.split(", "))
        assert "required steps" in close

    def test_routes_are_shown(self) -> None:
        """Edges chosen by an outcome say which."""
        routes = {r for *_, r, _g in parsed(sr.diagram(sr.Workflow()), MERMAID_EDGE) if r}
        assert {"outcome is satisfied", "outcome is no_answer", "the last open action"} <= routes

    def test_self_loops_on_request(self) -> None:
        """The every-stage loops are a note by default and drawn on request."""
        workflow = sr.Workflow(presets.LAST)
        assert "note right of reported" in sr.diagram(workflow)
        full = sr.diagram(workflow, self_loops=True)
        assert "note right of" not in full
        loops = [e for e in parsed(full, MERMAID_EDGE) if e[2] == "Escalate"]
        ends = (sr.Stage.CLOSED, sr.Stage.WITHDRAWN)  # no escalation once a case has ended
        assert len([s for s in presets.LAST.graph.stages if s not in ends]) == len(loops)


class TestDot:
    @pytest.mark.parametrize("policy", presets.PRESETS.values(), ids=lambda p: p.name)
    def test_draws_every_edge(self, policy: sr.RecoveryPolicy) -> None:
        """DOT has the same edges, quoted, inside one digraph named after the policy."""
        text = sr.diagram(policy, "dot")
        edges = [(s, d, c) for s, d, c, *_ in parsed(text, DOT_EDGE)]
        expected = [(e.source.value, e.dest.value, e.command.__name__) for e in policy.graph.edges]
        assert expected == edges
        assert text.startswith(f'digraph "{policy.name}" {{\n')
        assert text.endswith("}\n")

    def test_quotes_are_escaped(self) -> None:
        """A policy name with quotes still makes valid DOT."""
        text = sr.diagram(
            presets.LAST.__class__(
                name='say "hi"',
                graph=presets.LAST.graph,
                requirements=presets.LAST.requirements,
                playbooks=presets.LAST.playbooks,
            ),
            "dot",
        )
        assert text.startswith('digraph "say \\"hi\\"" {')


class TestRefusals:
    def test_unknown_format(self) -> None:
        """Only mermaid and dot are drawn."""
        with pytest.raises(sr.InvalidValue, match="format: expected one of mermaid, dot"):
            sr.diagram(sr.Workflow(), "svg")

    def test_not_a_workflow(self) -> None:
        """A diagram is of a workflow or a policy."""
        with pytest.raises(sr.InvalidValue, match="expected a Workflow"):
            sr.diagram("default")  # type: ignore[arg-type]
