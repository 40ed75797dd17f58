"""The rules' query for a warehouse without boolean values (SQL Server): conditions kept as conditions,
every boolean *value* made a 0/1 integer.

The compiler's tree holds booleans as values in three places: a rule's condition as a column of the
per-rule facts (`can_dat <= DATE '...' AS can004_c0`), "any record that..." as a boolean aggregate
(`bool_or`), and `COALESCE(<condition>, FALSE)`. T-SQL has no BOOLEAN type, no `bool_or` or `bool_and`,
and a predicate cannot be a select-list value or a function's argument. sqlglot's T-SQL generator already
writes a TRUE/FALSE literal in a select list as 1/0 and a bare column in a condition as `col <> 0`
(`ENSURE_BOOLS`), but leaves the rest, so `without_booleans` rewrites the tree first:

- a condition in a value position becomes `CASE WHEN <c> THEN 1 WHEN NOT <c> THEN 0 END`;
- `bool_or(x)` becomes `MAX(<x as 0/1>)` and `bool_and(x)` `MIN(<x as 0/1>)`;
- TRUE and FALSE in a value position become 1 and 0;
- a 0/1 value in a condition position (a rule's column in the CASE of its indicator, a `COALESCE` of
  conditions, a boolean aggregate) becomes `<value> = 1`.

An unknown condition (NULL) stays NULL, not 0, so the 0/1 values mean exactly what the booleans meant:
`bool_and` ignores NULLs and so does `MIN`, and `NOT` of an unknown stays unknown (`ELSE 0` would change
both; the condition is written twice instead). The rewrite keeps the query valid in every dialect, so the
tests run it on DuckDB and PostgreSQL and compare its outcomes with the engine's.
"""

from __future__ import annotations

from sqlglot import exp

__all__ = ["DIALECTS_WITHOUT_BOOLEANS", "without_booleans", "is_boolean"]

# sqlglot dialect names of the warehouses that have no boolean values.
DIALECTS_WITHOUT_BOOLEANS = ("tsql",)

_CONDITIONS = (exp.Predicate, exp.Connector, exp.Not, exp.Boolean, exp.LogicalOr, exp.LogicalAnd)


def is_boolean(node: exp.Expression) -> bool:
    """Whether `node` gives a boolean: a condition, a boolean aggregate, or a COALESCE/CASE of them."""
    if isinstance(node, _CONDITIONS):
        return True
    if isinstance(node, exp.Paren):
        return is_boolean(node.this)
    if isinstance(node, exp.Coalesce):
        return any(is_boolean(arg) for arg in (node.this, *node.expressions))
    if isinstance(node, exp.Case):
        results = [branch.args.get("true") for branch in node.args.get("ifs") or []]
        return any(r is not None and is_boolean(r) for r in [*results, node.args.get("default")])
    return False


def _condition_args(node: exp.Expression) -> frozenset[str]:
    """The args of `node` that hold a condition (the rest hold values)."""
    if isinstance(node, exp.Where | exp.Having | exp.Qualify | exp.Not):
        return frozenset({"this"})
    if isinstance(node, exp.Connector):
        return frozenset({"this", "expression"})
    if isinstance(node, exp.Join):
        return frozenset({"on"})
    # CASE WHEN <condition> THEN ...; not CASE x WHEN <value> THEN ..., whose WHEN holds a value.
    if isinstance(node, exp.If) and not (isinstance(node.parent, exp.Case) and node.parent.this):
        return frozenset({"this"})
    return frozenset()


def _rewrite(node: exp.Expression, condition: bool) -> exp.Expression:
    was_boolean = is_boolean(node)
    held = _condition_args(node)
    for key, value in list(node.args.items()):
        # A parenthesis holds what it stands for.
        inner = condition if isinstance(node, exp.Paren) else key in held
        if isinstance(value, exp.Expression):
            node.set(key, _rewrite(value, inner))
        elif isinstance(value, list):
            node.set(key, [_rewrite(v, inner) if isinstance(v, exp.Expression) else v for v in value])
    if isinstance(node, exp.LogicalOr):
        node = exp.Max(this=node.this)
    elif isinstance(node, exp.LogicalAnd):
        node = exp.Min(this=node.this)
    if condition:
        # A 0/1 value (or a rule's column, 0/1 once its SELECT is rewritten) read as a condition.
        if not is_boolean(node) and (was_boolean or isinstance(node, exp.Column)):
            return exp.EQ(this=node, expression=exp.Literal.number(1))
        return node
    if isinstance(node, exp.Boolean):
        return exp.Literal.number(1 if node.this else 0)
    if is_boolean(node):
        return exp.Case().when(node, exp.Literal.number(1)).when(exp.not_(node.copy()), exp.Literal.number(0))
    return node


def without_booleans(tree: exp.Expression) -> exp.Expression:
    """A copy of `tree` with no boolean value: conditions stay where a condition is read, and every
    boolean value is a 0/1 integer (see the module's docstring)."""
    return _rewrite(tree.copy(), condition=False)
