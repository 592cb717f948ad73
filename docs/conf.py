"""Sphinx configuration for the service-recovery documentation site.

Build it with ``python3 dev.py docs`` (into ``docs/_build/html``); ``python3 dev.py check``
builds it with warnings as errors. The site needs no network, neither to build nor to read:
mermaid.js is fetched once from the npm registry by ``dev.py`` and shipped with the pages.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from sphinx.ext.napoleon.docstring import GoogleDocstring

import service_recovery

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))  # the site's own extensions
# A change to those extensions changes this value, so an incremental build reads every page again.
site_extensions_digest = hashlib.sha256(
    b"".join(path.read_bytes() for path in sorted((DOCS / "_ext").glob("*.py")))
).hexdigest()

project = "service-recovery"
author = "service-recovery contributors"
copyright = "service-recovery contributors"
release = service_recovery.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinxcontrib.mermaid",
    "public_api",
    "offline_mermaid",
    "policy_diagram",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "_static"]
nitpicky = True

# The pages are Markdown; ```mermaid fences are diagrams, not code to highlight.
myst_enable_extensions = ["colon_fence", "deflist"]
myst_fence_as_directive = ["mermaid"]
myst_heading_anchors = 3

# The docstrings are Google style.
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
napoleon_use_ivar = False  # each field an attribute entry one can link to (see public_api)
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
python_use_unqualified_type_names = True
python_display_short_literal_types = True

# The site is read offline, so there are no intersphinx inventories to link the standard
# library or the dependencies: their names are shown, unlinked, instead of failing the build.
nitpick_ignore_regex = [
    (r"py:.*", r"(datetime|decimal|collections|enum|typing|types|pathlib|os|re|zoneinfo)\..*"),
    (r"py:.*", r"(attrs|attr|hypothesis|transitions|pytest|_pytest|psycopg|psycopg_pool)(\..*)?"),
    (r"py:.*", r"(Decimal|datetime|timedelta|date|time|tzinfo|ZoneInfo|Path|Callable)"),
    (r"py:.*", r"(Iterable|Iterator|Mapping|Sequence|Collection|Set|MappingProxyType)"),
]

# Mermaid renders in the browser, from the copy dev.py fetched (see _ext/offline_mermaid.py).
mermaid_output_format = "raw"
offline_mermaid_js = str(ROOT / ".venv" / "docs-cache" / "mermaid.min.js")

html_theme = "furo"
html_title = f"service-recovery {release}"
html_static_path = ["_static"]
html_css_files = ["site.css"]
html_copy_source = False
html_show_sourcelink = False


def _attribute_docstring_as_prose(self: GoogleDocstring) -> list[str]:
    """Read an attribute's or property's docstring as prose, not as ``type: description``.

    The project's docstrings open with sentences such as "The stage name as a person reads
    it: ...", and the types come from the annotations.
    """
    prose = type(self)(self._dedent(self._consume_to_end()), self._config).lines()
    return self._format_field("", "", prose)


GoogleDocstring._parse_attribute_docstring = _attribute_docstring_as_prose  # type: ignore[method-assign]
