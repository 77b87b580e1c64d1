"""Mutants of a model-answer function: the mistakes students make, written as AST operators.

Each operator names a kind of mistake and finds its *sites* in a function's body
(docstring excluded) in a fixed pre-order walk, so ``(operator, site)`` names one
mutant on every parse of the same source. :func:`mutants_of` applies every
operator at every site and keeps each distinct result once (``ast.unparse`` text,
the original excluded).

Why our own transformer: mutmut and cosmic-ray mutate files on disk and judge a
mutant by running their own test runner over a project; here a mutant is one
function's source that the grading engine runs, so a small transformer over
:mod:`ast` is all that is needed. Imports nothing of the project.
"""
from __future__ import annotations

import ast
import copy
import difflib
from dataclasses import dataclass
from typing import Callable

Mutate = Callable[[ast.AST], "ast.AST | None"]


@dataclass(frozen=True)
class Operator:
    """One kind of mistake: where it applies and what it makes of a site."""

    name: str
    """Short id, e.g. ``swap_add_sub``."""
    description: str
    """The mistake in words."""
    applies: Callable[[ast.AST], bool]
    """True for the nodes that are sites of this operator."""
    mutate: Mutate
    """The replacement node for a site (a copy, the site left untouched)."""


@dataclass(frozen=True)
class Mutant:
    """One mutated function."""

    function: str
    """The model-answer function's name."""
    operator: str
    """The :class:`Operator` that made it."""
    site: int
    """Which site of the operator (0-based, pre-order), so the same mutant can be rebuilt from source."""
    description: str
    source: str
    """The mutated function (``ast.unparse`` text)."""
    diff: str
    """Unified diff from the model answer (both as ``ast.unparse`` text) to the mutant."""

    @property
    def id(self) -> str:
        return f"{self.function}:{self.operator}:{self.site}"


# --------------------------------------------------------------------------
# Operators
# --------------------------------------------------------------------------
def _is_number(node: ast.AST) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool))


def _call_name(node: ast.AST) -> str:
    """``np.sum`` -> ``sum``, ``z.max`` -> ``max``, ``range`` -> ``range``; "" for other nodes."""
    if not isinstance(node, ast.Call):
        return ""
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _is_numpy_call(node: ast.AST, *names: str) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in names
            and isinstance(node.func.value, ast.Name) and node.func.value.id in ("np", "numpy"))


def _binop(old: type, new: type) -> tuple[Callable[[ast.AST], bool], Mutate]:
    def mutate(node: ast.AST) -> ast.AST:
        changed = copy.deepcopy(node)
        changed.op = new()
        return changed
    return (lambda node: isinstance(node, ast.BinOp) and isinstance(node.op, old)), mutate


def _number(value: Callable[[float], float]) -> Mutate:
    def mutate(node: ast.AST) -> ast.AST | None:
        new = value(node.value)
        if new == node.value:
            return None
        return ast.Constant(float(new) if isinstance(node.value, float) else int(new))
    return mutate


def _renamed_call(names: dict[str, str]) -> Mutate:
    def mutate(node: ast.AST) -> ast.AST:
        changed = copy.deepcopy(node)
        if isinstance(changed.func, ast.Attribute):
            changed.func.attr = names[changed.func.attr]
        else:
            changed.func.id = names[changed.func.id]
        return changed
    return mutate


def _axis_mutate(node: ast.AST) -> ast.AST:
    changed = copy.deepcopy(node)
    value = node.value
    old = value.value if isinstance(value, ast.Constant) else None
    if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub) and _is_number(value.operand):
        old = -value.operand.value
    changed.value = ast.Constant(1 if old in (0, None) else 0)
    return changed


def _transpose_remove(node: ast.AST) -> ast.AST:
    return copy.deepcopy(node.value)


def _transpose_add(node: ast.AST) -> ast.AST:
    changed = copy.deepcopy(node)
    if isinstance(changed, ast.BinOp):
        changed.left = ast.Attribute(value=changed.left, attr="T", ctx=ast.Load())
    else:
        changed.args[0] = ast.Attribute(value=changed.args[0], attr="T", ctx=ast.Load())
    return changed


def _shift(delta: int) -> Mutate:
    """``range(a, n)`` -> ``range(a, n ± 1)``; ``x[a:n]`` -> ``x[a:n ± 1]`` (the last bound given)."""
    def bump(expr: ast.expr) -> ast.expr:
        op = ast.Add() if delta > 0 else ast.Sub()
        return ast.BinOp(left=copy.deepcopy(expr), op=op, right=ast.Constant(abs(delta)))

    def mutate(node: ast.AST) -> ast.AST:
        changed = copy.deepcopy(node)
        if isinstance(changed, ast.Call):
            changed.args[min(len(changed.args), 2) - 1] = bump(changed.args[min(len(changed.args), 2) - 1])
        elif changed.upper is not None:
            changed.upper = bump(changed.upper)
        else:
            changed.lower = bump(changed.lower)
        return changed
    return mutate


def _swap_args(node: ast.AST) -> ast.AST:
    changed = copy.deepcopy(node)
    changed.args[0], changed.args[1] = changed.args[1], changed.args[0]
    return changed


def _is_max_subtraction(node: ast.AST) -> bool:
    return (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub)
            and _call_name(node.right) in ("max", "amax"))


def _is_sign_site(node: ast.AST) -> bool:
    """A unary minus (removed), or a returned value that has none (negated)."""
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, ast.USub)
    return isinstance(node, ast.Return) and node.value is not None and not (
        isinstance(node.value, ast.UnaryOp) and isinstance(node.value.op, ast.USub))


def _flip_sign(node: ast.AST) -> ast.AST:
    if isinstance(node, ast.UnaryOp):
        return copy.deepcopy(node.operand)
    changed = copy.deepcopy(node)
    changed.value = ast.UnaryOp(op=ast.USub(), operand=changed.value)
    return changed


_SUM_MEAN = {"sum": "mean", "mean": "sum"}
_add_sub = _binop(ast.Add, ast.Sub)
_sub_add = _binop(ast.Sub, ast.Add)
_mul_div = _binop(ast.Mult, ast.Div)
_div_mul = _binop(ast.Div, ast.Mult)

OPERATORS: tuple[Operator, ...] = (
    Operator("flip_sign", "a minus sign dropped (-x -> x) or added to a returned value",
             _is_sign_site, _flip_sign),
    Operator("add_to_sub", "+ written as -", *_add_sub),
    Operator("sub_to_add", "- written as +", *_sub_add),
    Operator("mul_to_div", "* written as /", *_mul_div),
    Operator("div_to_mul", "/ written as *", *_div_mul),
    Operator("sum_mean", "sum and mean confused",
             lambda node: _call_name(node) in _SUM_MEAN, _renamed_call(_SUM_MEAN)),
    Operator("double_constant", "a factor doubled (c -> 2c)", _is_number, _number(lambda c: 2 * c if c else 1)),
    Operator("drop_constant", "a factor dropped (c -> 1)", _is_number, _number(lambda c: 1)),
    Operator("zero_constant", "a constant replaced (c -> 0)", _is_number, _number(lambda c: 0)),
    Operator("change_axis", "the wrong axis (axis=0 <-> axis=1)",
             lambda node: isinstance(node, ast.keyword) and node.arg == "axis", _axis_mutate),
    Operator("remove_transpose", "a transpose .T forgotten",
             lambda node: isinstance(node, ast.Attribute) and node.attr == "T", _transpose_remove),
    Operator("add_transpose", "a transpose .T added to a matrix product's left operand",
             lambda node: (isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult))
             or _is_numpy_call(node, "dot", "matmul") and len(node.args) >= 1, _transpose_add),
    Operator("bound_plus_one", "off by one: a range or slice bound one too far",
             lambda node: _call_name(node) == "range" and bool(node.args)
             or isinstance(node, ast.Slice) and (node.upper or node.lower) is not None, _shift(+1)),
    Operator("bound_minus_one", "off by one: a range or slice bound one too short",
             lambda node: _call_name(node) == "range" and bool(node.args)
             or isinstance(node, ast.Slice) and (node.upper or node.lower) is not None, _shift(-1)),
    Operator("swap_args", "two positional arguments of a call swapped",
             lambda node: isinstance(node, ast.Call) and len(node.args) >= 2
             and not any(isinstance(a, ast.Starred) for a in node.args[:2]), _swap_args),
    Operator("remove_clip", "a np.clip / np.maximum / np.minimum guard removed",
             lambda node: _is_numpy_call(node, "clip", "maximum", "minimum") and bool(node.args),
             lambda node: copy.deepcopy(node.args[0])),
    Operator("remove_max_subtraction", "the max-subtraction (z - z.max()) removed",
             _is_max_subtraction, lambda node: copy.deepcopy(node.left)),
)
OPERATOR_NAMES = tuple(o.name for o in OPERATORS)


# --------------------------------------------------------------------------
# Applying them
# --------------------------------------------------------------------------
class _AtSite(ast.NodeTransformer):
    """Counts an operator's sites in pre-order; replaces the ``target``-th (``-1``: count only)."""

    def __init__(self, operator: Operator, target: int = -1) -> None:
        self.operator, self.target, self.count, self.replaced = operator, target, 0, False

    def visit(self, node: ast.AST) -> ast.AST:
        if self.operator.applies(node):
            index, self.count = self.count, self.count + 1
            if index == self.target:
                new = self.operator.mutate(node)
                if new is not None:
                    self.replaced = True
                    return ast.copy_location(new, node) if hasattr(node, "lineno") else new
        return self.generic_visit(node)


def _function(source: str) -> ast.FunctionDef:
    tree = ast.parse(source)
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.FunctionDef):
        raise ValueError("mutants_of takes the source of exactly one function (def ...)")
    return tree.body[0]


def _body_start(function: ast.FunctionDef) -> int:
    """The index of the first statement after the docstring."""
    first = function.body[0]
    docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
        and isinstance(first.value.value, str)
    return 1 if docstring and len(function.body) > 1 else 0


def apply(source: str, operator: Operator, site: int) -> str | None:
    """The function ``source`` with ``operator`` applied at its ``site``-th site, as ``ast.unparse``
    text; None when the operator has no such site or leaves it unchanged."""
    function = _function(source)
    transformer = _AtSite(operator, site)
    start = _body_start(function)
    function.body[start:] = [transformer.visit(statement) for statement in function.body[start:]]
    if not transformer.replaced:
        return None
    return ast.unparse(ast.fix_missing_locations(function))


def site_count(source: str, operator: Operator) -> int:
    """How many sites ``operator`` has in the body of the function ``source``."""
    function = _function(source)
    counter = _AtSite(operator)
    for statement in function.body[_body_start(function):]:
        counter.visit(statement)
    return counter.count


def _lines(text: str) -> list[str]:
    return [line + "\n" for line in text.splitlines()]


def mutants_of(source: str, operators: tuple[Operator, ...] = OPERATORS) -> list[Mutant]:
    """Every distinct mutant of the function ``source`` (the original and duplicates left out), in
    operator then site order."""
    name = _function(source).name
    original = ast.unparse(_function(source))
    seen = {original}
    found = []
    for operator in operators:
        for site in range(site_count(source, operator)):
            mutated = apply(source, operator, site)
            if mutated is None or mutated in seen:
                continue
            seen.add(mutated)
            diff = "".join(difflib.unified_diff(_lines(original), _lines(mutated),
                                                f"{name} (model answer)", f"{name} (mutant)", n=1))
            found.append(Mutant(name, operator.name, site, operator.description, mutated, diff))
    return found


def operator_named(name: str) -> Operator:
    """The operator ``name``; the error lists the known ones."""
    for operator in OPERATORS:
        if operator.name == name:
            return operator
    raise KeyError(f"no mutation operator {name!r}; known: {', '.join(OPERATOR_NAMES)}")
