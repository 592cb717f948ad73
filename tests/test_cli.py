"""The command line: validate, verify and diagram policies; print the schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service_recovery._cli import main
from service_recovery._io._schema import policy_schema

EXAMPLE = Path(__file__).parent.parent / "examples" / "contact_centre_last.toml"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


class TestValidate:
    def test_good_file(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A valid file exits 0 and summarises the policy."""
        code, out, _ = run(capsys, "validate", str(EXAMPLE))
        assert 0 == code
        assert "ok: policy 'contact-centre-last', 10 stages, 19 edges" in out

    def test_bad_file_lists_every_problem(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """A bad file exits 2 and lists each problem on its own line."""
        bad = tmp_path / "bad.toml"
        bad.write_text('follow_up_attempts = 0\n[authority]\nagent = "lots"\n', encoding="utf-8")
        code, out, err = run(capsys, "validate", str(bad))
        assert (2, "") == (code, out)
        assert [
            f"{bad}: invalid policy (2 problem(s))",
            '  - authority.agent: expected an amount like "50 EUR", got "lots"',
        ] == err.splitlines()[:2]
        assert "follow_up_attempts" in err.splitlines()[2]

    def test_missing_file(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """A file that cannot be read exits 2 and names the file."""
        missing = tmp_path / "missing.toml"
        code, out, err = run(capsys, "validate", str(missing))
        assert (2, "") == (code, out)
        assert f"  - {missing}: cannot read the policy file" in err

    def test_a_file_named_like_toml_text_is_read_as_a_file(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """A file whose name holds an "=" is still a file, never taken for TOML text."""
        odd = tmp_path / "name=odd.toml"
        odd.write_text('name = "odd"\n', encoding="utf-8")
        code, out, _ = run(capsys, "validate", str(odd))
        assert 0 == code
        assert "ok: policy 'odd'" in out


class TestVerify:
    def test_preset(self, capsys: pytest.CaptureFixture[str]) -> None:
        """verify --preset proves a built-in policy and exits 0."""
        code, out, _ = run(capsys, "verify", "--preset", "last")
        assert 0 == code
        assert out.startswith("last: ")
        assert 4 == out.count("ok     ")

    def test_file(self, capsys: pytest.CaptureFixture[str]) -> None:
        """verify FILE proves a policy file."""
        code, out, _ = run(capsys, "verify", str(EXAMPLE))
        assert (0, True) == (code, out.startswith("contact-centre-last: "))

    def test_broken_policy_exits_1(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """A policy that can leave a case stuck exits 1 and shows the path."""
        muddled = tmp_path / "muddled.toml"
        muddled.write_text(
            'extends = "default"\n'
            'requirements = [{ step = "record_prevention", before = "diagnosed" }]\n',
            encoding="utf-8",
        )
        code, out, _ = run(capsys, "verify", str(muddled))
        assert 1 == code
        assert "BROKEN closed is reachable" in out
        assert "(no command: the case as it opens)" in out

    def test_unknown_preset(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown preset is an error listing the known ones."""
        code, _, err = run(capsys, "verify", "--preset", "agile")
        assert 2 == code
        assert "expected one of default, heard" in err

    def test_file_and_preset_together(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A file and a preset at once is refused."""
        code, _, err = run(capsys, "diagram", str(EXAMPLE), "--preset", "last")
        assert 2 == code
        assert "not both" in err


class TestDiagram:
    @pytest.mark.parametrize(("fmt", "start"), [("mermaid", "stateDiagram-v2"), ("dot", "digraph")])
    def test_formats(self, capsys: pytest.CaptureFixture[str], fmt: str, start: str) -> None:
        """diagram prints the chosen format for a preset."""
        code, out, _ = run(capsys, "diagram", "--preset", "heard", "--format", fmt)
        assert 0 == code
        assert out.startswith(start)
        assert "IdentifyCause" in out

    def test_default_policy(self, capsys: pytest.CaptureFixture[str]) -> None:
        """With no file and no preset, the default policy is drawn."""
        code, out, _ = run(capsys, "diagram", "--self-loops")
        assert 0 == code
        assert "reported --> reported: Escalate" in out


class TestSchema:
    def test_prints_the_schema(self, capsys: pytest.CaptureFixture[str]) -> None:
        """schema prints the policy file format's JSON Schema."""
        code, out, _ = run(capsys, "schema")
        assert (0, policy_schema()) == (code, json.loads(out))
