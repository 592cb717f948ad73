"""Document a public module's names from its ``__all__``, and fail the build on any left out.

In a page::

    ```{public-api} service_recovery
    :from: _model._commands _model._events
    ```

documents, under their public names (``service_recovery.Listen``), the names of
``service_recovery.__all__`` defined in those private modules; without ``:from:`` it documents
the whole of ``__all__``. Every public module of the package (``service_recovery`` and each
subpackage without a leading underscore) must have each of its names documented by some
directive: when the build finishes, every name left out is a warning, which the strict build
(``-W``) turns into an error.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import sys
from types import ModuleType
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.pycode import ModuleAnalyzer
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.inspect import signature as sphinx_signature
from sphinx.util.inspect import stringify_signature
from sphinx.util.typing import stringify_annotation

from service_recovery._public import ORIGINS

logger = logging.getLogger(__name__)

PACKAGE = "service_recovery"


def public_modules() -> list[str]:
    """The package and its subpackages whose names have no leading underscore."""
    package = importlib.import_module(PACKAGE)
    return [PACKAGE] + [
        f"{PACKAGE}.{info.name}"
        for info in pkgutil.iter_modules(package.__path__)
        if not info.name.startswith("_")
    ]


def exported(module_name: str) -> dict[str, object]:
    """Each name in the module's ``__all__`` and its value (lazy names are loaded)."""
    module = importlib.import_module(module_name)
    return {name: getattr(module, name) for name in module.__all__}


def assigning_module(public: ModuleType, name: str) -> str | None:
    """The private module whose top level assigns *name* (for values and aliases)."""
    package = importlib.import_module(PACKAGE)
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{PACKAGE}."):
        if info.name.endswith(".__main__"):  # importing it would run the command line
            continue
        module = importlib.import_module(info.name)
        if getattr(module, name, None) is not getattr(public, name) or info.ispkg:
            continue
        for statement in ast.parse(inspect.getsource(module)).body:
            if isinstance(statement, ast.Assign):
                targets = statement.targets
            elif isinstance(statement, ast.AnnAssign):
                targets = [statement.target]
            else:
                continue
            if any(isinstance(target, ast.Name) and target.id == name for target in targets):
                return info.name
    return None


def defining_module(public_name: str, name: str, value: object) -> str:
    """Where *name* of *public_name* is defined: its ``__module__``, or where it is assigned."""
    public = importlib.import_module(public_name)
    if inspect.isclass(value) or inspect.isroutine(value):
        # Public names report the public module; where they are written is kept aside.
        return ORIGINS.get(f"{public_name}.{name}", value.__module__)
    if inspect.ismodule(value):
        return value.__name__
    return assigning_module(public, name) or public_name


def value_doc(module_name: str, name: str) -> list[str]:
    """The ``#:`` comment (or string after it) that documents a module-level value."""
    docs = ModuleAnalyzer.for_module(module_name).find_attr_docs()
    return list(docs.get(("", name), []))


def directive_lines(public_name: str, name: str, value: object) -> list[str]:
    """The reST autodoc (or py domain) directive that documents one public name."""
    target = f"{public_name}.{name}"
    if inspect.ismodule(value):
        return [f"See :py:mod:`{value.__name__}`.", ""]
    if inspect.isclass(value) and issubclass(value, BaseException):
        return [f".. autoexception:: {target}", "   :members:", "   :show-inheritance:", ""]
    if inspect.isclass(value):
        # "Bases: object" says nothing: name the bases only when there is one worth naming.
        bases = ["   :show-inheritance:"] if value.__bases__ != (object,) else []
        return [f".. autoclass:: {target}", "   :members:", "   :undoc-members:", *bases, ""]
    if inspect.isroutine(value):
        return [f".. autofunction:: {target}", ""]
    home = defining_module(public_name, name, value)
    doc = value_doc(home, name)
    if not doc:
        logger.warning(
            "%s has no doc comment: document it with a `#:` comment where %s assigns it",
            target,
            home,
        )
    if _is_alias(value):
        header = [f".. py:type:: {name}", f"   :canonical: {public_annotation(value)}"]
    else:
        header = [f".. py:data:: {name}", f"   :type: {public_annotation(type(value))}"]
    return [*header, "", *(f"   {line}" if line else "" for line in doc), ""]


def _is_alias(value: object) -> bool:
    """Whether *value* is a type alias (``Callable[[HookContext], object]``), not a value."""
    return type(value).__module__ in {"typing", "types", "collections.abc", "_collections_abc"}


def public_annotation(annotation: object) -> str:
    """An annotation as text, with private module paths replaced by the public ones."""
    text = stringify_annotation(annotation, "fully-qualified-except-typing")
    return PRIVATE_PATH.sub(_publish, text)


PRIVATE_PATH = re.compile(rf"\b{PACKAGE}(?:\.\w+)*\.(\w+)\b")


def _publish(match: re.Match[str]) -> str:
    for module in public_modules():
        if match.group(1) in importlib.import_module(module).__all__:
            return f"{module}.{match.group(1)}"
    return match.group(0)


class PublicAPI(SphinxDirective):
    """``{public-api} module``: document the module's public names (see the module doc)."""

    required_arguments = 1
    option_spec: ClassVar[dict[str, Any]] = {"from": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        """Write the autodoc directives for the chosen names, and note what they cover."""
        public_name = self.arguments[0]
        prefixes = [f"{PACKAGE}.{prefix}" for prefix in self.options.get("from", "").split()]
        names = exported(public_name)
        chosen = [
            name
            for name, value in names.items()
            if not prefixes or _under(defining_module(public_name, name, value), prefixes)
        ]
        if not chosen:
            logger.warning(
                "no public name of %s comes from %s",
                public_name,
                " ".join(prefixes),
                location=self.get_location(),
            )
        documented = self.env.domaindata.setdefault("public_api", {})
        lines = ["```{eval-rst}", f".. py:currentmodule:: {public_name}", ""]
        for name in sorted(chosen, key=lambda each: (_kind_order(names[each]), each.lower())):
            documented.setdefault(public_name, {})[name] = self.env.docname
            lines += directive_lines(public_name, name, names[name])
        lines.append("```")
        return self.parse_text_to_nodes("\n".join(lines), allow_section_headings=False)


def _under(module: str, prefixes: list[str]) -> bool:
    return any(module == prefix or module.startswith(f"{prefix}.") for prefix in prefixes)


def _kind_order(value: object) -> int:
    """Classes first, then functions, then values: the order a reader looks for them."""
    if inspect.isclass(value):
        return 0
    if inspect.isroutine(value):
        return 1
    return 2


def purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    """Forget what a page documented before it is read again."""
    for names in env.domaindata.get("public_api", {}).values():
        for name in [name for name, page in names.items() if page == docname]:
            del names[name]


def merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    """Combine what parallel readers recorded."""
    mine = env.domaindata.setdefault("public_api", {})
    for module, names in other.domaindata.get("public_api", {}).items():
        mine.setdefault(module, {}).update(names)


def report_left_out(app: Sphinx, env: BuildEnvironment) -> None:
    """Warn about every public name that no page documents."""
    documented = env.domaindata.get("public_api", {})
    for module in public_modules():
        for name in exported(module):
            if name not in documented.get(module, {}):
                logger.warning(
                    "%s.%s is public but undocumented: add it to a {public-api} page in docs/api/",
                    module,
                    name,
                )


def private_names() -> set[str]:
    """Every top-level name of every module in the package, private ones included."""
    package = importlib.import_module(PACKAGE)
    names: set[str] = set()
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{PACKAGE}."):
        if not info.name.endswith(".__main__"):
            names.update(vars(importlib.import_module(info.name)))
    return names


def resolve_to_public(
    app: Sphinx, env: BuildEnvironment, node: addnodes.pending_xref, contnode: nodes.TextElement
) -> nodes.Element | None:
    """Link a private path to its public name; show a private helper's name as plain text.

    Type hints name a class where it is defined (``service_recovery._model._values.Actor``);
    the reference documents it as ``service_recovery.Actor``. A name that is not public at
    all (a private base class or type alias) is shown unlinked rather than failing the build.
    """
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].lstrip("~.")
    context = node.get("py:module") or ""
    if not (target.startswith(f"{PACKAGE}.") or context.startswith(PACKAGE)):
        return None
    parts = target.split(".")
    module_path = ""
    while len(parts) > 1 and f"{module_path}{parts[0]}" in {PACKAGE, *_module_names()}:
        module_path += f"{parts.pop(0)}."
    if not parts:
        return None
    for module in public_modules():
        if parts[0] in importlib.import_module(module).__all__:
            public_target = ".".join([module, *parts])
            return env.domains["py"].resolve_xref(
                env, node["refdoc"], app.builder, node["reftype"], public_target, node, contnode
            )
    if parts[0] in _private_names(app):
        return contnode
    return None


def _module_names() -> set[str]:
    return {name for name in sys.modules if name.startswith(f"{PACKAGE}.")}


def _private_names(app: Sphinx) -> set[str]:
    cached: set[str] | None = getattr(app, "_public_api_private_names", None)
    if cached is None:
        cached = private_names()
        app._public_api_private_names = cached  # type: ignore[attr-defined]
    return cached


class _Elided:
    """Stands for a default value too long or too odd to read in a signature."""

    def __repr__(self) -> str:
        return "..."


ELIDED = _Elided()
LONGEST_DEFAULT = 40


def tidy_signature(  # noqa: PLR0917  (the signature of Sphinx's event)
    app: Sphinx,
    what: str,
    name: str,
    obj: object,
    options: object,
    signature: str | None,
    return_annotation: str | None,
) -> tuple[str, str | None] | None:
    """Show ``...`` for a default whose repr is long or is not Python (``<Channel.SOCIAL>``)."""
    if signature is None or what not in {"class", "exception", "function", "method"}:
        return None
    subject = obj.__init__ if inspect.isclass(obj) else obj  # type: ignore[misc]
    try:
        found = sphinx_signature(subject, bound_method=inspect.isclass(obj))
    except (TypeError, ValueError):
        return None
    changed = False
    parameters = []
    for parameter in found.parameters.values():
        if parameter.default is not parameter.empty and not _readable(parameter.default):
            parameters.append(parameter.replace(default=ELIDED))
            changed = True
        else:
            parameters.append(parameter)
    if parameters and parameters[0].name in {"self", "cls"}:
        parameters.pop(0)  # a method's own signature, read from the plain function
    if not changed:
        return None
    tidy = found.replace(parameters=parameters)
    return stringify_signature(tidy, show_return_annotation=False), return_annotation


def _readable(default: object) -> bool:
    text = repr(default)
    if len(text) > LONGEST_DEFAULT:
        return False
    try:
        ast.parse(text, mode="eval")
    except SyntaxError:
        return False
    return True


SECTION = re.compile(r"^(\s*)(Attributes|Args|Arguments|Parameters):\s*$")
ENTRY = re.compile(r"^(\s+)(\w+)\b")


def note_documented_attributes(  # noqa: PLR0917  (the signature of Sphinx's event)
    app: Sphinx, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    """Remember the attributes a class's ``Attributes:`` section documents.

    Its members are listed next, and an attrs field documented there would otherwise be
    listed a second time, bare.
    """
    if what not in {"class", "exception"}:
        return
    documented: set[str] = set()
    section_indent: int | None = None
    for line in lines:
        if section_indent is None:
            found = SECTION.match(line)
            if found and found.group(2) == "Attributes":
                section_indent = len(found.group(1))
            continue
        if line.strip() and len(line) - len(line.lstrip()) <= section_indent:
            section_indent = None
            continue
        entry = ENTRY.match(line)
        if entry and len(entry.group(1)) == section_indent + 4:
            documented.add(entry.group(2))
    app.env.temp_data["public_api_class_attributes"] = documented


def skip_documented_attributes(  # noqa: PLR0917  (the signature of Sphinx's event)
    app: Sphinx, what: str, name: str, obj: object, skip: bool, options: object
) -> bool | None:
    """Skip a bare member the class docstring's ``Attributes:`` section already documents."""
    documented = app.env.temp_data.get("public_api_class_attributes", set())
    if what in {"class", "exception"} and not inspect.isroutine(obj) and name in documented:
        return True
    return None


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive and the completeness check."""
    app.setup_extension("sphinx.ext.autodoc")
    app.add_directive("public-api", PublicAPI)
    # conf.py sets it from the extensions' source: a change to them re-reads every page.
    app.add_config_value("site_extensions_digest", "", "env", types=frozenset({str}))
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("env-check-consistency", report_left_out)
    app.connect("missing-reference", resolve_to_public)
    app.connect("autodoc-process-signature", tidy_signature)
    app.connect("autodoc-process-docstring", note_documented_attributes, priority=400)
    app.connect("autodoc-skip-member", skip_documented_attributes)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
