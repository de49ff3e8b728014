"""One metric definition, several SQL engines: the company metrics are written once, in DuckDB's
dialect (``company.py``), and translated here with SQLGlot for each engine that runs them.

Two rewrites make the engines agree to the last bit, not only in meaning:

* a continuous quantile (``median``, ``quantile_cont``) is spelt out as its textbook definition
  over the sorted values: with ``r = (n - 1) * q``, ``lo`` and ``hi`` the values at ranks
  ``floor(r)`` and ``ceil(r)``, the quantile is ``lo + (hi - lo) * (r - floor(r))``. Each engine's
  built-in rounds the last step its own way (DuckDB's binary fuses it into one multiply-add), so
  both run this same arithmetic instead;
* a number with a decimal point is a double, as DuckDB computes with it (Spark would compute in
  fixed-point decimals and round differently).

Spark also needs generators (``unnest``) outside casts and a date minus a date spelt
``datediff`` (DuckDB's difference is a number of days, Spark's an interval); parquet scans are
replaced by the engine itself (see ``engines.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import sqlglot
from sqlglot import exp

SOURCE_DIALECT = "duckdb"


def _quantile_sql(values: str, q: str, dialect: str) -> str:
    """The continuous quantile ``q`` of ``values`` as plain arithmetic over the sorted list."""
    if dialect == "spark":
        sort, size, at = "array_sort(collect_list({v}))", "size(a)", "element_at(a, {i})"
        lam = "transform(array({sorted}), a -> {body})[0]"
    else:
        sort, size, at = "list_sort(list({v}))", "len(a)", "a[{i}]"
        lam = "list_transform([{sorted}], lambda a: {body})[1]"
    rank = f"(CAST({size} - 1 AS DOUBLE) * CAST({q} AS DOUBLE))"
    lo = at.format(i=f"CAST(floor({rank}) AS INT) + 1")
    hi = at.format(i=f"CAST(ceil({rank}) AS INT) + 1")
    body = (
        f"CASE WHEN {size} = 0 THEN CAST(NULL AS DOUBLE) "
        f"ELSE {lo} + ({hi} - {lo}) * ({rank} - floor({rank})) END"
    )
    return lam.format(sorted=sort.format(v=values), body=body)


def _exact_quantiles(dialect: str) -> Callable[[exp.Expression], exp.Expression]:
    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Median):
            values, q = node.this, "0.5"
        elif isinstance(node, exp.PercentileCont) and node.expression is not None:
            values, q = node.this, node.expression.sql(SOURCE_DIALECT)
        else:
            return node
        inner = f"CAST({values.sql(SOURCE_DIALECT)} AS DOUBLE)"
        return sqlglot.parse_one(_quantile_sql(inner, q, dialect), read=dialect)

    return rewrite


def _is_date(node: exp.Expression) -> bool:
    """Whether an expression is a date by its form alone (no schema is at hand): the last day
    of a month, a cast to DATE, or the least or greatest of values one of which is a date."""
    if isinstance(node, exp.Paren):
        return _is_date(node.this)
    if isinstance(node, exp.LastDay):
        return True
    if isinstance(node, exp.Cast):
        return node.to.this == exp.DataType.Type.DATE
    if isinstance(node, (exp.Least, exp.Greatest)):
        return any(_is_date(e) for e in [node.this, *node.expressions])
    return False


def _spark_only(node: exp.Expression) -> exp.Expression:
    """Spark: a generator may not sit inside a cast (a month series is dates already), a
    number with a decimal point is a double, a date minus a date is a number of days (as in
    DuckDB), and a subquery in FROM has a name (else Spark reads the next keyword, ``WHERE``,
    as its alias)."""
    if isinstance(node, exp.Subquery) and not node.alias and isinstance(node.parent, exp.From):
        node.set("alias", exp.TableAlias(this=exp.to_identifier(f"_q{id(node)}")))
        return node  # changed in place, so that its inside is rewritten too
    if (
        isinstance(node, exp.Sub)
        and not isinstance(node.expression, exp.Interval)
        and (_is_date(node.this) or _is_date(node.expression))
    ):  # DuckDB: date - date is a number of days; Spark: an interval, unless datediff
        return exp.Anonymous(this="datediff", expressions=[node.this, node.expression])
    if isinstance(node, exp.Cast) and isinstance(node.this, (exp.Unnest, exp.Explode)):
        return node.this
    if isinstance(node, exp.Literal) and not node.is_string and "." in node.this:
        return exp.cast(node.copy(), "DOUBLE")
    return node


@lru_cache(maxsize=512)
def translate(sql: str, dialect: str) -> str:
    """``sql`` (DuckDB's dialect) for the engine ``dialect`` ("duckdb" or "spark")."""
    tree = sqlglot.parse_one(sql, read=SOURCE_DIALECT)
    if dialect == "spark":
        tree = tree.transform(_spark_only)
    tree = tree.transform(_exact_quantiles(dialect))
    return tree.sql(dialect=dialect)
