"""Render mermaid diagrams in the browser from a copy of mermaid.js shipped with the site.

sphinxcontrib-mermaid loads mermaid as an ES module from a CDN. A module import is refused
for pages opened from disk (``file://``), so that is replaced here: the classic build
``mermaid.min.js`` (fetched from the npm registry by ``dev.py``) is copied into ``_static``
and loaded with a plain ``<script>`` on the pages that have a diagram, followed by
``mermaid-init.js``, which renders them.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinxcontrib.mermaid import install_js, mermaid

LOCAL_NAME = "mermaid.min.js"


def check_mermaid_copy(app: Sphinx, config: Any) -> None:
    """Stop the build at once when the local mermaid.js has not been fetched."""
    source = Path(config.offline_mermaid_js)
    if not source.is_file():
        raise ConfigError(
            f"{source} is missing: run `python3 dev.py docs`, which fetches mermaid "
            "from the npm registry (with npm) and builds the site"
        )


def add_scripts(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """Load mermaid.js and the renderer only on the pages that draw a diagram."""
    if doctree is None or doctree.next_node(mermaid) is None:
        return
    app.add_js_file(LOCAL_NAME, priority=600)
    app.add_js_file("mermaid-init.js", priority=601)


def copy_mermaid(app: Sphinx, exception: Exception | None) -> None:
    """Put the local mermaid.js beside the pages' other static files."""
    if exception is None and app.builder.format == "html":
        static = Path(app.outdir) / "_static"
        static.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(app.config.offline_mermaid_js, static / LOCAL_NAME)


def setup(app: Sphinx) -> dict[str, Any]:
    """Swap sphinxcontrib-mermaid's CDN module script for the local classic one."""
    app.setup_extension("sphinxcontrib.mermaid")
    app.disconnect(
        next(
            listener.id
            for listener in app.events.listeners["html-page-context"]
            if listener.handler is install_js
        )
    )
    app.add_config_value("offline_mermaid_js", "", "html", types=frozenset({str}))
    app.connect("config-inited", check_mermaid_copy)
    app.connect("html-page-context", add_scripts)
    app.connect("build-finished", copy_mermaid)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
