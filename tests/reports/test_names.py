"""Every kind of line a built-in plugin can write has a name a clerk reads (reports/names.py).

The kinds are found two ways, so that none is missed silently:

- from the source: every ``Line(...)`` and ``LineTable(...)`` (and ``replace(..., kind=...)``)
  in the built-in plugins' packages and in kamkit (which they call), its kind followed back to
  string constants through the helpers, parameters, variables, module constants, returned tuples
  and literal tables it passes through. A kind the scan cannot follow fails the test, naming the
  place; it is never skipped. A new kind in a new branch of a plugin is found without any facts
  reaching it.
- from running each built-in plugin on its example: whatever a run writes must be among what the
  scan found (the scan sees at least what runs).
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
from pathlib import Path

import pytest

from kamcli.documents import read_document
from kamkit.explain import Line, LineTable
from kamkit.facts_schema import load_facts
from kamkit.loader import available, load_plugin
from reports.names import KINDS, kind_label, kind_names, readable_key

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
# where each constructor takes its kind when given positionally
EMITTERS = {
    cls.__name__: [f.name for f in dataclasses.fields(cls)].index("kind") for cls in (Line, LineTable)
}


class Unresolved(Exception):
    """A kind the scan cannot follow to constants: the test names the place."""


def builtin_plugins() -> dict[str, str]:
    """key -> module of every plugin this suite ships (not a third party's, e.g. acme-flat)."""
    return {key: ep.module for key, ep in available().items() if ep.module.split(".")[0] == "plugins"}


def _scanned_files() -> dict[str, Path]:
    """module name -> file: the built-in plugins' packages and kamkit. kamkit/explain.py only
    defines Line and LineTable (a LineTable's lines carry the kind its own call site names)."""
    packages = {".".join(m.split(".")[:2]) for m in builtin_plugins().values()} | {"kamkit"}
    files = {}
    for package in sorted(packages):
        folder = Path(importlib.import_module(package).__file__).parent
        for path in sorted(folder.rglob("*.py")):
            parts = [*package.split("."), *path.relative_to(folder).with_suffix("").parts]
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            if name != "kamkit.explain":
                files[name] = path
    return files


class KindScan:
    def __init__(self, files: dict[str, Path]):
        self.trees = {m: ast.parse(p.read_text(encoding="utf-8"), str(p)) for m, p in files.items()}
        self.files = files
        self.parent: dict[ast.AST, ast.AST] = {}
        self.module: dict[ast.AST, str] = {}
        self.calls: list[ast.Call] = []
        for name, tree in self.trees.items():
            for node in ast.walk(tree):
                self.module[node] = name
                for child in ast.iter_child_nodes(node):
                    self.parent[child] = node
                if isinstance(node, ast.Call):
                    self.calls.append(node)

    def run(self) -> tuple[set[str], list[str]]:
        """(every kind found, every place whose kind could not be followed)."""
        kinds: set[str] = set()
        unresolved: list[str] = []
        for call, expr in self._sites():
            try:
                kinds |= self.values(expr, call)
            except Unresolved as why:
                unresolved.append(f"{self.files[self.module[call]]}:{call.lineno}: {why}")
        return kinds, unresolved

    def _sites(self):
        for call in self.calls:
            name = _called(call)
            if name in EMITTERS:
                yield call, self._argument(call, EMITTERS[name], "kind")
            elif name == "replace" and any(k.arg in ("kind", None) for k in call.keywords):
                yield call, self._argument(call, None, "kind")

    # -- following an expression back to its strings ----------------------------------------

    def values(self, expr: ast.AST | None, at: ast.AST, index: int | None = None) -> set[str]:
        """The strings ``expr`` (element ``index`` of it, when a tuple) can be where it stands."""
        if expr is None:
            raise Unresolved("no kind given here")
        if index is None and isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value}
        if index is not None and _is_none(expr):
            return set()  # unpacking None would fail: no kind comes from here
        if index is not None and isinstance(expr, (ast.Tuple, ast.List)):
            return self.values(expr.elts[index], at)
        if isinstance(expr, ast.IfExp):
            return self.values(expr.body, at, index) | self.values(expr.orelse, at, index)
        if isinstance(expr, ast.BoolOp):
            return set().union(*(self.values(v, at, index) for v in expr.values))
        if isinstance(expr, ast.Name):
            return self._name(expr.id, at, index)
        if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Name):
            return self._table(expr.value.id, at, index)
        if isinstance(expr, ast.Call):
            return self._returned(expr, at, index)
        raise Unresolved(f"cannot follow {ast.unparse(expr)!r}")

    def _name(self, name: str, at: ast.AST, index: int | None) -> set[str]:
        scope = self._enclosing(at)
        while scope is not None:
            if name in _parameters(scope):
                return self._parameter(scope, name, index)
            bound = [(node, target) for node, target in _bindings(scope) if _binds(target, name)]
            if bound:
                return set().union(*(self._bound(node, target, name, index) for node, target in bound))
            scope = self._enclosing(scope)
        return self._module_name(self.module[at], name, index)

    def _module_name(self, module: str, name: str, index: int | None) -> set[str]:
        for node in self.trees[module].body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if any(_binds(t, name) for t in targets):
                return set().union(*(self._bound(node, t, name, index) for t in targets if _binds(t, name)))
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        source = _imported(module, node, self.files)
                        if source not in self.trees:
                            raise Unresolved(f"{name!r} comes from {source}, outside the scan")
                        return self._module_name(source, alias.name, index)
        raise Unresolved(f"cannot find where {name!r} is set")

    def _bound(self, node: ast.AST, target: ast.AST, name: str, index: int | None) -> set[str]:
        position = None if isinstance(target, ast.Name) else _position(target, name)
        if position is not None and index is not None:
            raise Unresolved(f"a tuple inside a tuple at line {node.lineno}")
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            return self.values(node.value, node, index if position is None else position)
        if isinstance(node, ast.For) and isinstance(node.iter, (ast.Tuple, ast.List, ast.Set)):
            return set().union(
                *(self.values(e, node, index if position is None else position) for e in node.iter.elts)
            )
        raise Unresolved(f"{name!r} is set at line {node.lineno} in a way the scan does not follow")

    def _table(self, name: str, at: ast.AST, index: int | None) -> set[str]:
        """``TABLE[key]``: every value of a literal dict ``TABLE`` set in the module."""
        for node in self.trees[self.module[at]].body:
            if isinstance(node, ast.Assign) and any(_binds(t, name) for t in node.targets):
                if isinstance(node.value, ast.Dict):
                    return set().union(*(self.values(v, node, index) for v in node.value.values))
        raise Unresolved(f"{name}[...] is not a literal table of the module")

    def _returned(self, call: ast.Call, at: ast.AST, index: int | None) -> set[str]:
        """What a function of the scanned modules returns (a tuple's element ``index``)."""
        found = [f for f in self._functions(_called(call)) if self.module[f] == self.module[at]]
        if not found:
            raise Unresolved(f"cannot follow the call {ast.unparse(call)[:60]!r}")
        returns = [
            r
            for f in found
            for r in ast.walk(f)
            if isinstance(r, ast.Return) and r.value is not None and not _is_none(r.value)
        ]
        return set().union(*(self.values(r.value, r, index) for r in returns))

    def _parameter(self, function: ast.AST, name: str, index: int | None) -> set[str]:
        """A parameter: what every caller passes (or the default, where a caller leaves it out)."""
        callers = self._callers(function)
        if not callers:
            raise Unresolved(f"{function.name}({name}=...) is called nowhere the scan can see")
        args = function.args
        positional = [a.arg for a in (*args.posonlyargs, *args.args)]
        defaults = dict(zip(positional[len(positional) - len(args.defaults) :], args.defaults))
        defaults |= {a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None}
        found: set[str] = set()
        for call, shift in callers:
            position = positional.index(name) - shift if name in positional else None
            given = self._argument(call, position, name)
            found |= self.values(given if given is not None else defaults.get(name), call, index)
        return found

    def _callers(self, function: ast.AST) -> list[tuple[ast.Call, int]]:
        """(call, positions its bound ``self`` takes) for each call of ``function``. Used as a
        value (passed, stored) it could be called from anywhere: that is not followed."""
        module, name = self.module[function], function.name
        method = isinstance(self.parent.get(function), ast.ClassDef)
        aliases = {module: name} | {
            m: alias.asname or alias.name
            for m, tree in self.trees.items()
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and _imported(m, node, self.files) == module
            for alias in node.names
            if alias.name == name
        }
        found = []
        for m, tree in self.trees.items():
            for node in ast.walk(tree):
                if not self._names(node, m, function=(module, name), alias=aliases.get(m), method=method):
                    continue
                call = self.parent.get(node)
                if not (isinstance(call, ast.Call) and call.func is node):
                    raise Unresolved(f"{name} is used as a value at {self.files[m]}:{node.lineno}")
                found.append((call, 1 if method and isinstance(node, ast.Attribute) else 0))
        return found

    def _names(self, node: ast.AST, m: str, *, function: tuple[str, str], alias, method: bool) -> bool:
        """Whether ``node``, in module ``m``, reads the function: by the name it has there; as an
        attribute of any object (a method) or of its module (``quarterly.line``)."""
        module, name = function
        if isinstance(node, ast.Name):
            return node.id == alias and isinstance(node.ctx, ast.Load)
        if not (isinstance(node, ast.Attribute) and node.attr == name and isinstance(node.ctx, ast.Load)):
            return False
        owner = ast.unparse(node.value)
        return method or owner == module or self._modules(m).get(owner) == module

    def _modules(self, module: str) -> dict[str, str]:
        """Names ``module`` gives to modules it imports: alias -> module."""
        found = {}
        for node in ast.walk(self.trees[module]):
            if isinstance(node, ast.Import):  # ``import a.b`` is read as ``a.b.f``: the owner is the module
                found |= {a.asname: a.name for a in node.names if a.asname}
            elif isinstance(node, ast.ImportFrom):
                source = _imported(module, node, self.files)
                found |= {a.asname or a.name: f"{source}.{a.name}" for a in node.names}
        return found

    # -- the tree ------------------------------------------------------------------------------

    def _argument(self, call: ast.Call, position: int | None, name: str) -> ast.AST | None:
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            raise Unresolved(f"arguments unpacked with * or ** in {ast.unparse(call)[:60]!r}")
        if position is not None and 0 <= position < len(call.args):
            return call.args[position]
        return next((k.value for k in call.keywords if k.arg == name), None)

    def _enclosing(self, node: ast.AST) -> ast.AST | None:
        node = self.parent.get(node)
        while node is not None and not isinstance(node, FUNCTIONS):
            node = self.parent.get(node)
        return node

    def _functions(self, name: str | None) -> list[ast.AST]:
        return [
            n
            for tree in self.trees.values()
            for n in ast.walk(tree)
            if isinstance(n, FUNCTIONS) and n.name == name
        ]


def _called(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _parameters(function: ast.AST) -> set[str]:
    args = function.args
    return {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}


def _bindings(function: ast.AST):
    """(statement, target) of every assignment and for-loop in ``function``, nested ones too
    (more places than needed can only add kinds, never hide one)."""
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            yield from ((node, t) for t in node.targets)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.For, ast.NamedExpr, ast.withitem)):
            target = node.optional_vars if isinstance(node, ast.withitem) else node.target
            if target is not None:
                yield node, target


def _binds(target: ast.AST, name: str) -> bool:
    if isinstance(target, ast.Name):
        return target.id == name
    return isinstance(target, (ast.Tuple, ast.List)) and any(_binds(e, name) for e in target.elts)


def _position(target: ast.AST, name: str) -> int:
    for i, element in enumerate(target.elts):
        if isinstance(element, ast.Name) and element.id == name:
            return i
    raise Unresolved(f"{name!r} is unpacked from a nested tuple")


def _is_none(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def _imported(module: str, node: ast.ImportFrom, files: dict[str, Path]) -> str:
    """The module a ``from ... import`` in ``module`` names."""
    if not node.level:
        return node.module or ""
    package = module.split(".")
    if not files[module].name == "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


@pytest.fixture(scope="module")
def scanned():
    return KindScan(_scanned_files()).run()


def _run_kinds() -> set[str]:
    """The kinds each built-in plugin writes for its example's month and quarter."""
    kinds: set[str] = set()
    for key in builtin_plugins():
        plugin = load_plugin(key, {})
        facts = load_facts(read_document(ROOT / "examples" / f"{key}.yaml"))
        ran = 0
        for period in ("month", "quarter"):
            try:
                result = (
                    plugin.assess_month(facts) if period == "month" else plugin.commission_quarter(facts, {})
                )
            except Exception:  # an example made for the other period; the other run must work
                continue
            kinds |= {line.kind for line in result.lines}
            ran += 1
        assert ran, f"no period of {key}'s example ran"
    return kinds


def test_every_kind_a_builtin_plugin_can_write_has_a_name(scanned):
    kinds, unresolved = scanned
    assert unresolved == [], "kinds the scan cannot follow; name them or make the scan follow them"
    ran = _run_kinds()
    assert ran and ran <= kinds, f"written by a run, missed by the scan: {sorted(ran - kinds)}"
    # "": the blank kind of the lines penalties.loss_veto_cases makes only to find who is charged
    missing = sorted(k for k in kinds - {""} if k not in KINDS)
    assert missing == [], f"add these to reports/names.py KINDS: {missing}"
    for kind, (zh, en) in KINDS.items():
        assert zh.strip() and en.strip() and zh != kind and en != kind, kind


def test_the_scan_follows_helpers_and_fails_on_what_it_cannot_follow(tmp_path):
    source = tmp_path / "m.py"
    source.write_text(
        "from kamkit.explain import Line\n"
        "BANDS = {'a': 'from_table'}\n"
        "CONSTANT = 'from_constant'\n"
        "def band(x):\n"
        "    return ('p', 'from_return') if x else None\n"
        "def helper(person, kind, *, note=CONSTANT):\n"
        "    return [Line(person, 'r', 1, 'points', kind, 'c', '', '', {}),\n"
        "            Line(person, 'r', 1, 'points', note, 'c', '', '', {})]\n"
        "def other(kind):\n"
        "    return Line('p', 'r', 1, 'points', kind, 'c', '', '', {})\n"
        "def passed(kind):\n"
        "    return Line('p', 'r', 1, 'points', kind, 'c', '', '', {})\n"
        "LATER = [passed]\n"
        "def run(x, key):\n"
        "    _, kind = band(x)\n"
        "    helper('p', 'from_call' if x else 'from_else')\n"
        "    helper('p', kind)\n"
        "    helper('p', BANDS[key], note='from_keyword')\n"
        "    other(x.kind)\n",
        encoding="utf-8",
    )
    kinds, unresolved = KindScan({"m": source}).run()
    assert kinds == {
        "from_call",
        "from_else",
        "from_return",
        "from_table",
        "from_constant",
        "from_keyword",
    }
    # a kind from an object, and a helper handed on as a value: named, not skipped
    assert len(unresolved) == 2 and "x.kind" in unresolved[0] and "used as a value" in unresolved[1]


def test_an_unknown_kind_reads_as_words_never_as_its_key():
    assert kind_names("agent_commission") == ("代理商提成", "Agent commission")
    assert kind_label("agent_commission") == "代理商提成 / Agent commission"
    assert kind_names("retention_bonus_q4") == ("Retention bonus q4", "Retention bonus q4")
    assert kind_label("retention_bonus_q4") == "Retention bonus q4"
    assert (readable_key("__odd__key"), readable_key("")) == ("Odd key", "—")
