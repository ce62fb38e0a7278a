"""Mutation testing of what mutmut cannot reach: numba kernels, and code that inspects its own stack.

    python benchmarks/mutation_ast.py src/kompas/_kernels/fixed.py -- tests/unit/test_obs_fields.py
    python benchmarks/mutation_ast.py src/kompas/_kernels/fixed.py --list      # the mutants, no run
    python benchmarks/mutation_ast.py src/kompas/_kernels/fixed.py --only 12 43 -- TESTS...

mutmut replaces each function by a trampoline that dispatches to its mutants at call time; a function
compiled by ``numba.njit`` cannot call that trampoline, so ``[tool.mutmut]`` leaves ``src/kompas/_kernels``
out, and ``kompas.errors.caller_stacklevel``, which counts the kompas frames above it, finds the
trampoline's frame instead of its caller's. This script mutates such a module itself: it walks the bodies of its functions and makes one mutant per
site (a comparison turned to its boundary twin or its negation, ``+``/``-`` and ``*``/``/`` swapped, an integer
or float constant plus one, a string wrapped in ``XX``, a boolean negated, ``and``/``or`` swapped, a unary minus dropped, ``continue``
turned to ``break``), writes each into a copy of ``src/`` and runs the given tests on it with
``KOMPAS_KERNELS=numba`` and a fresh numba cache (``-x``, first failure stops). A mutant is killed when the
tests fail, survives when they pass; the unmutated module is run first and must pass.

Run by hand, not in CI (each mutant compiles the kernel again: seconds each). Equivalent survivors go into
``benchmarks/mutation_equivalent.txt`` under the names printed here (``<module>:<n>``) with a reason.
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import shutil
import sys
import tempfile
from pathlib import Path

from mutation import pytest_verdict

ROOT = Path(__file__).resolve().parents[1]

_CMP = {ast.Lt: (ast.LtE, ast.GtE), ast.LtE: (ast.Lt, ast.Gt), ast.Gt: (ast.GtE, ast.LtE),
        ast.GtE: (ast.Gt, ast.Lt), ast.Eq: (ast.NotEq,), ast.NotEq: (ast.Eq,), ast.Is: (ast.IsNot,),
        ast.IsNot: (ast.Is,), ast.In: (ast.NotIn,), ast.NotIn: (ast.In,)}  # fmt: skip
_BIN = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.Pow: ast.Mult}


def _sites(tree: ast.Module):
    """(description, function that mutates a deep copy of ``tree`` at this site) for every mutation site
    inside the module's functions (docstrings and decorators left alone) and its constants."""
    out = []
    funcs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    docstrings = {
        id(x) for f in funcs if ast.get_docstring(f) is not None for x in (f.body[0], f.body[0].value)
    }
    roots = [stmt for f in funcs for stmt in f.body if id(stmt) not in docstrings]
    for stmt in tree.body:  # module constants: numba freezes them into the kernel
        if isinstance(stmt, ast.Assign) and not any(getattr(t, "id", "") == "__all__" for t in stmt.targets):
            roots.append(stmt.value)
    # a nested function's body is also inside its parent's: each node once, in walk order
    nodes = list({id(n): n for root in roots for n in ast.walk(root) if id(n) not in docstrings}.values())
    index = {id(n): i for i, n in enumerate(ast.walk(tree))}

    def at(i, change):
        def mutate(t):
            node = list(ast.walk(t))[i]
            change(node)
            return t

        return mutate

    for node in nodes:
        i = index[id(node)]
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                for new in _CMP.get(type(op), ()):
                    out.append((f"line {line}: {type(op).__name__} -> {new.__name__}",
                                at(i, lambda n, k=k, new=new: n.ops.__setitem__(k, new()))))  # fmt: skip
        elif isinstance(node, ast.BinOp) and type(node.op) in _BIN:
            new = _BIN[type(node.op)]
            out.append((f"line {line}: {type(node.op).__name__} -> {new.__name__}",
                        at(i, lambda n, new=new: setattr(n, "op", new()))))  # fmt: skip
        elif isinstance(node, ast.BoolOp):
            new = ast.Or if isinstance(node.op, ast.And) else ast.And
            out.append((f"line {line}: {type(node.op).__name__} -> {new.__name__}",
                        at(i, lambda n, new=new: setattr(n, "op", new()))))  # fmt: skip
        elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
            out.append((f"line {line}: {node.value} -> {not node.value}",
                        at(i, lambda n: setattr(n, "value", not n.value))))  # fmt: skip
        elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            out.append((f"line {line}: {node.value!r} -> {node.value + 1!r}",
                        at(i, lambda n: setattr(n, "value", n.value + 1))))  # fmt: skip
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append((f"line {line}: {node.value!r} -> 'XX...XX'",
                        at(i, lambda n: setattr(n, "value", f"XX{n.value}XX"))))  # fmt: skip
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            out.append((f"line {line}: unary minus dropped", at(i, _drop_minus)))
        elif isinstance(node, ast.Continue):
            out.append(
                (f"line {line}: continue -> break", at(i, lambda n: setattr(n, "__class__", ast.Break)))
            )
    return out


def _drop_minus(node: ast.UnaryOp) -> None:
    node.op = ast.UAdd()


def _run(source: str, module: Path, tests: list[str], scratch: Path, timeout: float) -> str:
    target = scratch / "src" / module.relative_to(ROOT / "src")
    target.write_text(source)
    cache = tempfile.mkdtemp(dir=scratch)
    env = {**os.environ, "PYTHONPATH": str(scratch / "src"), "KOMPAS_KERNELS": "numba",
           "NUMBA_CACHE_DIR": cache, "PYTHONDONTWRITEBYTECODE": "1"}  # fmt: skip
    try:
        return pytest_verdict(tests, env, timeout)
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    tests = argv[argv.index("--") + 1 :] if "--" in argv else []
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("module", type=Path, help="a module under src/ (path)")
    ap.add_argument("--list", action="store_true", help="print the mutants and stop")
    ap.add_argument("--only", type=int, nargs="+", help="run these mutants (numbers of --list) only")
    ap.add_argument(
        "--timeout", type=float, default=600.0, help="seconds per mutant (a hang counts as killed)"
    )
    args = ap.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    module = args.module.resolve()
    tree = ast.parse(module.read_text())
    sites = _sites(tree)
    name = module.relative_to(ROOT / "src").with_suffix("").as_posix().replace("/", ".")
    if args.list:
        for n, (what, _) in enumerate(sites, 1):
            print(f"{name}:{n}  {what}")
        return 0
    if not tests:
        ap.error("name the tests after --")
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        shutil.copytree(ROOT / "src", scratch / "src", ignore=shutil.ignore_patterns("__pycache__"))
        base = _run(ast.unparse(tree), module, tests, scratch, args.timeout)
        if base != "SURVIVED":
            print(f"the unmutated module fails its tests ({base}): nothing to measure", file=sys.stderr)
            return 2
        alive = ran = 0
        for n, (what, mutate) in enumerate(sites, 1):
            if args.only and n not in args.only:
                continue
            verdict = _run(ast.unparse(mutate(copy.deepcopy(tree))), module, tests, scratch, args.timeout)
            alive, ran = alive + (verdict == "SURVIVED"), ran + 1
            print(f"{verdict:8s} {name}:{n}  {what}", flush=True)
        print(f"{ran} mutants run, {ran - alive} killed, {alive} survived")
    return int(alive > 0)


if __name__ == "__main__":
    sys.exit(main())
