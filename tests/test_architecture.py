"""The layout rules of issue 15, checked on the source (static: ast, no imports run).

- no import cycle between qualcode modules, module-level or inside functions,
  except the one documented lazy hand-off ``codebook`` <-> ``refi.qdc``;
- no module imports a private name (``_x``) or private module from another
  package (the ground modules at the top of the package are shared);
- no module that ``import qualcode`` loads imports the package face back
  (the CLI and the demo sit above it and may);
- no module over 1,000 lines except those named in ``ONE_CONCEPT`` (with why),
  no function over 200 lines, ``Project`` under 900 lines.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

SRC = Path(importlib.util.find_spec("qualcode").origin).parent  # type: ignore[arg-type]
GROUND = {
    "qualcode._columns",
    "qualcode._validation",
    "qualcode._inputs",
    "qualcode._files",
    "qualcode._safezip",
    "qualcode._optional",
    "qualcode._nlp",
    "qualcode._version",
    "qualcode._grammar",
    "qualcode.errors",
    "qualcode.model",
}
ALLOWED_CYCLES = {frozenset({"qualcode.codebook", "qualcode.refi.qdc"})}
FACE_USERS = ("qualcode.cli", "qualcode.demo", "qualcode.datasets")
# module -> why it may exceed 1,000 lines (one concept)
ONE_CONCEPT: dict[str, str] = {}


def _modules() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(module: str, name: str | None, level: int, here: str, is_pkg: bool) -> str:
    if level:
        base = here.split(".") if is_pkg else here.split(".")[:-1]
        base = base[: len(base) - (level - 1)]
        module = ".".join(base + ([module] if module else []))
    return module


def _imports(name: str, path: Path) -> list[tuple[str, str | None, int]]:
    """``(target module, imported name or None, line)`` for every qualcode import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("qualcode"):
                    out.append((a.name, None, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            mod = _resolve(node.module or "", None, node.level, name, is_pkg)
            if not mod.startswith("qualcode"):
                continue
            for a in node.names:
                sub = f"{mod}.{a.name}"
                if sub in MODULES:
                    out.append((sub, None, node.lineno))
                else:
                    out.append((mod, a.name, node.lineno))
    return out


def _type_checking_lines(path: Path) -> set[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for sub in ast.walk(node):
                if hasattr(sub, "lineno"):
                    lines.add(sub.lineno)
    return lines


def _package_of(module: str) -> str:
    """The package of a module (``qualcode.store._db`` -> ``qualcode.store``)."""
    parts = module.split(".")
    if module in MODULES and MODULES[module].name == "__init__.py":
        return module
    return ".".join(parts[:-1]) if len(parts) > 1 else module


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for name, path in MODULES.items():
        skip = _type_checking_lines(path)
        for target, _, line in _imports(name, path):
            if line in skip:
                continue
            while target not in MODULES and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in MODULES and target != name:
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def _is_descendant(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_architecture_no_import_cycles():
    graph = _graph()
    # a package __init__ re-exporting its own submodules is not a cycle of concepts
    for name in graph:
        graph[name] = {
            t
            for t in graph[name]
            if not (MODULES[t].name == "__init__.py" and _is_descendant(name, t))
        }
    bad = [c for c in _cycles(graph) if frozenset(c) not in ALLOWED_CYCLES]
    assert not bad, f"import cycles: {bad}"


def test_architecture_no_private_imports_across_packages():
    bad = []
    for name, path in MODULES.items():
        mine = _package_of(name)
        for target, imported, line in _imports(name, path):
            if target in GROUND or target == "qualcode":
                continue
            owner = _package_of(target)
            private_module = any(p.startswith("_") for p in target.split(".")[1:])
            private_name = imported is not None and imported.startswith("_")
            if not (private_module or private_name):
                continue
            if _is_descendant(name, owner) or _is_descendant(target, mine):
                continue
            bad.append(f"{name}:{line} imports {target}.{imported or ''}")
    assert not bad, "\n".join(bad)


def test_architecture_loaded_modules_do_not_import_the_face():
    bad = []
    for name, path in MODULES.items():
        if name == "qualcode" or name.startswith(FACE_USERS):
            continue
        for target, imported, line in _imports(name, path):
            if target == "qualcode" and imported not in MODULES_SHORT:
                bad.append(f"{name}:{line} imports qualcode.{imported}")
    assert not bad, "\n".join(bad)


MODULES_SHORT = {m.split(".", 1)[1] for m in MODULES if "." in m}


def test_architecture_module_sizes():
    big = {
        name: len(path.read_text(encoding="utf-8").splitlines())
        for name, path in MODULES.items()
    }
    bad = {n: k for n, k in big.items() if k > 1000 and n not in ONE_CONCEPT}
    assert not bad, f"modules over 1,000 lines: {bad}"


def _functions(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node.lineno, node.end_lineno - node.lineno + 1


def test_architecture_function_sizes():
    bad = [
        f"{name}.{fn}:{line} ({n} lines)"
        for name, path in MODULES.items()
        for fn, line, n in _functions(path)
        if n > 200
    ]
    assert not bad, "\n".join(bad)


def test_architecture_project_class_is_thin():
    path = MODULES["qualcode.store.project"]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    (cls,) = [
        n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Project"
    ]
    assert cls.end_lineno - cls.lineno + 1 < 900


@pytest.mark.parametrize("module", ["qualcode._version"])
def test_architecture_version_has_one_owner(module):
    hits = [
        name
        for name, path in MODULES.items()
        if "__version__ =" in path.read_text(encoding="utf-8")
    ]
    assert hits == [module]
