"""The layers hold: the tenancy core depends on no app, apps point one way, and
no module imports another in a circle.

The import graph is read from the source (every ``import`` and ``from …
import``, also those inside functions, which are how circles usually hide),
so it cannot drift from the code.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db.migrations.loader import MigrationLoader

ROOT = Path(settings.BASE_DIR)
PACKAGES = ["prm", "partners", "deals", "incentives", "training", "portal"]
APPS = {"partners", "deals", "incentives", "training", "portal"}
# The project shell composes everything: settings, root URLs, the Celery app,
# the launcher and the embedded servers.  The rest of prm is the tenancy core.
SHELL = ("prm.settings", "prm.urls", "prm.celery", "prm.launcher", "prm.embedded", "prm.wsgi")
# Each app may import only the apps below it (and the core).
MAY_IMPORT = {
    "partners": set(),
    "deals": {"partners"},
    "training": {"partners"},
    "incentives": {"deals", "partners"},
    "portal": {"partners", "deals", "incentives", "training"},
}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    is_package = MODULES[module].name == "__init__.py"
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str) -> set[str]:
    tree = ast.parse(MODULES[module].read_text())
    targets = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, node)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                targets.add(candidate if candidate in MODULES else base)
    return {t for t in targets if t.split(".")[0] in PACKAGES}


GRAPH = {module: _imports(module) for module in MODULES}


def _is_core(module: str) -> bool:
    return module.startswith("prm") and not module.startswith(SHELL)


def test_the_graph_is_read():
    assert "prm.tenancy" in GRAPH["prm.middleware"]
    assert "partners.selectors.people" in GRAPH["partners.services.people"]


def test_the_tenancy_core_imports_no_app():
    leaks = {
        module: sorted(t for t in targets if t.split(".")[0] in APPS)
        for module, targets in GRAPH.items()
        if _is_core(module)
    }
    assert {m: t for m, t in leaks.items() if t} == {}


def test_apps_import_only_the_apps_below_them():
    wrong = {}
    for module, targets in GRAPH.items():
        app = module.split(".")[0]
        if app not in MAY_IMPORT:
            continue
        bad = sorted(t for t in targets if t.split(".")[0] in APPS - {app} - MAY_IMPORT[app])
        if bad:
            wrong[module] = bad
    assert wrong == {}


def test_no_module_imports_another_in_a_circle():
    """Tarjan's strongly connected components over the whole import graph."""
    index, low, on_stack, stack, circles = {}, {}, set(), [], []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH.get(node, ()):
            if target not in GRAPH:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert circles == []


def test_the_core_has_no_foreign_key_into_an_app():
    into_apps = [
        f"{model.__name__}.{field.name} -> {field.related_model._meta.label}"
        for model in apps.get_app_config("prm").get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model._meta.app_label in APPS
    ]
    assert into_apps == []


def test_the_cores_migrations_depend_on_no_app():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    leaks = [
        (key, parent.key)
        for key, node in graph.nodes.items()
        if key[0] == "prm"
        for parent in graph.node_map[key].parents
        if parent.key[0] in APPS
    ]
    assert leaks == []
