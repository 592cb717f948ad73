"""Draw a preset's stage graph in a page, from the code, so the picture cannot drift.

In a page::

    ```{policy-diagram} heard
    ```

renders ``sr.diagram(sr.Workflow(sr.presets.HEARD), format="mermaid")`` as a mermaid diagram.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

import service_recovery as sr


class PolicyDiagram(SphinxDirective):
    """``{policy-diagram} preset-name``: the preset's graph as a mermaid diagram."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        """Render the named preset's diagram through the mermaid directive."""
        policy = sr.presets.by_name(self.arguments[0])
        text = sr.diagram(sr.Workflow(policy), format="mermaid")
        fence = "`" * 4
        return self.parse_text_to_nodes(f"{fence}{{mermaid}}\n{text}\n{fence}")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive."""
    app.setup_extension("sphinxcontrib.mermaid")
    app.add_directive("policy-diagram", PolicyDiagram)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
