"""The layering the design card promises, checked on the source: no import circles, a pure core.

The import graph is read from the source (every ``import``, including those inside functions
and under ``TYPE_CHECKING``, and module names handed to ``importlib`` as strings), so a circle
hidden behind a lazy import is still a circle. The agent's TypeScript modules are walked too.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"policies": "piaudit.policies", "addons": "piaudit.addons", "hooks": "piaudit.hooks", "scripts": "piaudit.scripts"}
NOT_PRODUCT = {"standin", "bench", "node_modules", "_build", "__pycache__"}
AGENT = ROOT / "hooks" / "agent"


def python_modules() -> dict[str, Path]:
    """Every module of the installed package, by its import name."""
    found: dict[str, Path] = {}
    for folder, package in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT / folder)
            if NOT_PRODUCT & set(rel.parts):
                continue
            parts = list(rel.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join([package, *parts])] = path
    return found


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The longest known module that ``name`` is, or lies in (``a.b.C`` -> ``a.b``)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def python_imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the package modules it imports (``from pkg import submodule`` counts the submodule only)."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps: set[str] = set()
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                deps |= {found for alias in node.names if (found := _known(alias.name, modules))}
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[: len(base) - node.level + 1]
                    source = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    source = node.module or ""
                for alias in node.names:
                    if f"{source}.{alias.name}" in modules:
                        deps.add(f"{source}.{alias.name}")
                    elif found := _known(source, modules):
                        deps.add(found)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in modules:
                deps.add(node.value)  # importlib.import_module("piaudit.x.y"), lazy command handlers
        deps.discard(name)
        graph[name] = deps
    return graph


_TS_IMPORT = re.compile(r"""^\s*(?:import|export)\b[^;'"]*?\bfrom\s+["'](\.{1,2}/[^"']+)["']""", re.M)


def agent_imports() -> dict[str, set[str]]:
    """Agent module (path relative to hooks/agent) -> the agent modules it imports."""
    graph: dict[str, set[str]] = {}
    for path in sorted(AGENT.rglob("*.ts")):
        rel = path.relative_to(AGENT)
        if NOT_PRODUCT & set(rel.parts) or path.name.endswith(".d.ts"):
            continue
        deps = set()
        for target in _TS_IMPORT.findall(path.read_text(encoding="utf-8")):
            resolved = (path.parent / target).resolve().with_suffix(".ts")
            deps.add(str(resolved.relative_to(AGENT)))
        graph[str(rel)] = deps
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_the_walk_sees_imports_of_every_kind():
    graph = python_imports(python_modules())
    # a plain import, a lazy import inside a function, and a module named in a string
    assert "piaudit.policies.models" in graph["piaudit.policies.rows"]
    assert "piaudit.addons.recorder" in graph["piaudit.scripts.run"]
    assert "piaudit.scripts.run" in graph["piaudit.scripts.cli"]
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_python_import_circle():
    found = circles(python_imports(python_modules()))
    assert found == [], "import circles: " + "; ".join(" <-> ".join(c) for c in found)


def test_no_agent_import_circle_and_lib_stands_alone():
    graph = agent_imports()
    assert "lib/hooks.ts" in graph and "index.ts" in graph
    found = circles(graph)
    assert found == [], "agent import circles: " + "; ".join(" <-> ".join(c) for c in found)
    upward = sorted(f"{module} -> {dep}" for module, deps in graph.items() if module.startswith("lib/") for dep in deps if not dep.startswith("lib/"))
    assert upward == [], "lib/ must not depend on the hook modules: " + ", ".join(upward)


def test_core_imports_no_proxy_or_frida():
    """policies/ (the core) imports no mitmproxy and no frida, directly or through what it imports."""
    modules = python_modules()
    graph = python_imports(modules)
    core = [name for name in modules if name.startswith("piaudit.policies")]
    for name in core:
        assert not {d for d in graph[name] if not d.startswith("piaudit.policies")}, f"{name} imports outside the core"
        text = modules[name].read_text(encoding="utf-8")
        assert not re.search(r"^\s*(?:from|import)\s+(?:mitmproxy|frida)", text, re.M), f"{name} imports mitmproxy or frida"
    # and at run time: importing every core module loads neither
    code = (
        "import importlib, sys\n"
        f"for name in {core!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('mitmproxy', 'frida', 'frida_tools'))\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(("one", "other"), [("piaudit.addons", "piaudit.hooks"), ("piaudit.hooks", "piaudit.addons")])
def test_addons_and_hooks_never_import_each_other(one, other):
    graph = python_imports(python_modules())
    crossing = sorted(f"{m} -> {d}" for m, deps in graph.items() if m.startswith(one) for d in deps if d.startswith(other))
    assert crossing == []
