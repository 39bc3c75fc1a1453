"""Row filters: the `--where` expressions of the analysis commands.

Grammar (keywords are case-insensitive)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := unary ("and" unary)*
    unary      := "not" unary | "(" expr ")" | comparison
    comparison := COLUMN OP VALUE | COLUMN ["not"] "in" "(" VALUE ("," VALUE)* ")"
    OP         := "<" | "<=" | ">" | ">=" | "=" | "==" | "!="

COLUMN is a results column or a goal short name (latency, energy, edp, area, power,
throughput). VALUE is a number, a bare word (everything up to the next space or closing
parenthesis; inside a list also up to the next comma) or a quoted string ('...' or "...").
Numeric columns take numbers and every operator; categorical columns (dataflow, network,
mode, precision, status) take their own labels with =, != and in.

Every mistake raises FilterError (a ValueError) that says what is wrong, where, and a hint.
"""

import difflib
import re

import numpy as np
import pandas as pd

SHORT_NAMES = {
    "latency": "latency_s",
    "energy": "energy_pj",
    "edp": "edp_js",
    "area": "area_mm2",
    "power": "power_w",
    "throughput": "throughput_sps",
}

_OPS = ("<=", ">=", "!=", "==", "<", ">", "=")
# Operators people type by habit from other languages, and what they mean here.
_MISTYPED = {"=<": "<=", "=>": ">=", "<>": "!=", "=!": "!=", "=>=": ">=", "===": "=",
             "!==": "!=", "<<": "<", ">>": ">"}
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEYWORDS = ("and", "or", "not", "in")
_HINT = ("write COLUMN<=X, COLUMN!=LABEL, COLUMN in (A, B), joined with and / or, for example "
         "'area_mm2<=20 and dataflow in (rs, ws)'")


class FilterError(ValueError):
    """A malformed or inapplicable filter: the message names the problem, then a hint."""

    def __init__(self, text, problem, hint, pos=None):
        where = f" at character {pos + 1}" if pos is not None else ""
        caret = f"\n    {text}\n    {' ' * pos}^" if pos is not None else ""
        super().__init__(f"--where {text!r}{where}: {problem}{caret}\nhint: {hint}")
        self.problem = problem
        self.hint = hint


def did_you_mean(word, choices):
    """' (did you mean 'x'?)' for the closest choice, case-insensitively, or ''."""
    lower = {c.lower(): c for c in choices}
    if word.lower() in lower:
        return f" (did you mean {lower[word.lower()]!r}?)"
    close = difflib.get_close_matches(word.lower(), list(lower), n=1, cutoff=0.6)
    return f" (did you mean {lower[close[0]]!r}?)" if close else ""


class Compare:
    """COLUMN OP VALUE, or COLUMN [not] in (VALUES): op is one of < <= > >= = != in notin."""

    def __init__(self, column, op, values, pos):
        self.column, self.op, self.values, self.pos = column, op, values, pos

    def columns(self):
        return [self.column]

    def __repr__(self):
        if self.op in ("in", "notin"):
            return f"{self.column} {'not in' if self.op == 'notin' else 'in'} {tuple(self.values)}"
        return f"{self.column}{self.op}{self.values[0]}"


class Not:
    def __init__(self, arg):
        self.arg = arg

    def columns(self):
        return self.arg.columns()


class Join:
    def __init__(self, op, args):
        self.op, self.args = op, args

    def columns(self):
        return [c for a in self.args for c in a.columns()]


class _Parser:
    def __init__(self, text):
        self.text = text
        self.i = 0

    def fail(self, problem, hint=_HINT, pos=None):
        raise FilterError(self.text, problem, hint, self.i if pos is None else pos)

    def skip(self):
        while self.i < len(self.text) and self.text[self.i].isspace():
            self.i += 1

    def at_end(self):
        self.skip()
        return self.i >= len(self.text)

    def peek_word(self):
        self.skip()
        m = _IDENT.match(self.text, self.i)
        return m.group(0).lower() if m else None

    def keyword(self, word):
        """Consumes keyword `word` when it comes next (as a whole word)."""
        m = _IDENT.match(self.text, self.i) if not self.at_end() else None
        if m and m.group(0).lower() == word:
            self.i = m.end()
            return True
        return False

    def symbol(self, s):
        self.skip()
        if self.text.startswith(s, self.i):
            self.i += len(s)
            return True
        return False

    def parse(self):
        if self.at_end():
            self.fail("the filter is empty")
        node = self.expr()
        if not self.at_end():
            rest = self.text[self.i:]
            if rest.startswith(")"):
                self.fail("')' has no matching '('", "remove it or add the '(' it closes")
            if rest[0] in "&|":
                self.fail(f"{rest[0]!r} is not an operator here",
                          "join conditions with the words and / or")
            self.fail(f"unexpected {rest.split()[0]!r} after a complete condition",
                      "join two conditions with and / or; quote a label that contains spaces")
        return node

    def expr(self):
        args = [self.and_expr()]
        while self.keyword("or"):
            args.append(self.and_expr())
        return args[0] if len(args) == 1 else Join("or", args)

    def and_expr(self):
        args = [self.unary()]
        while self.keyword("and"):
            args.append(self.unary())
        return args[0] if len(args) == 1 else Join("and", args)

    def unary(self):
        if self.at_end():
            self.fail("a condition is missing at the end")
        if self.keyword("not"):
            return Not(self.unary())
        if self.symbol("("):
            node = self.expr()
            if not self.symbol(")"):
                self.fail("'(' is not closed", "add the ')' that closes it")
            return node
        return self.comparison()

    def comparison(self):
        start = self.i
        m = _IDENT.match(self.text, self.i)
        if not m:
            self.fail(f"expected a column name, found {self.text[self.i:].split()[0]!r}")
        column = m.group(0)
        if column.lower() in _KEYWORDS:
            self.fail(f"expected a column name, found the keyword {column!r}")
        self.i = m.end()
        self.skip()
        if self.keyword("not"):
            if not self.keyword("in"):
                self.fail("'not' after a column must be followed by 'in'",
                          f"write {column} not in (A, B)")
            return Compare(column, "notin", self.value_list(column), start)
        if self.keyword("in"):
            return Compare(column, "in", self.value_list(column), start)
        op_pos = self.i
        run = re.match(r"[<>=!]+", self.text[self.i:])
        if not run:
            found = self.text[self.i:].split()[0] if not self.at_end() else "the end"
            self.fail(f"expected an operator after {column!r}, found {found!r}",
                      "operators: < <= > >= = != and in (...)")
        op = run.group(0)
        if op in _MISTYPED:
            value = self.text[self.i + len(op):].strip().split()[0] if \
                self.text[self.i + len(op):].strip() else "X"
            self.fail(f"{op!r} is not an operator", f"write {column}{_MISTYPED[op]}{value}",
                      op_pos)
        if op not in _OPS:
            self.fail(f"{op!r} is not an operator", "operators: < <= > >= = != and in (...)",
                      op_pos)
        self.i += len(op)
        value = self.value(column, in_list=False)
        return Compare(column, "=" if op == "==" else op, [value], start)

    def value_list(self, column):
        if not self.symbol("("):
            self.fail("'in' needs a parenthesized list", f"write {column} in (A, B)")
        values = [self.value(column, in_list=True)]
        while self.symbol(","):
            values.append(self.value(column, in_list=True))
        if not self.symbol(")"):
            self.fail("the list after 'in' is not closed", "separate values with ',' and end "
                                                             "the list with ')'")
        return values

    def value(self, column, in_list):
        self.skip()
        if self.i >= len(self.text):
            self.fail(f"the value after {column!r} is missing", f"write for example {column}<=20")
        q = self.text[self.i]
        if q in "'\"":
            end = self.text.find(q, self.i + 1)
            if end < 0:
                self.fail("the quoted value is not closed", f"end it with {q}")
            v = self.text[self.i + 1:end]
            self.i = end + 1
            return _Value(v, quoted=True)
        stop = r"[\s(),]" if in_list else r"[\s()]"
        m = re.compile(rf"[^\s()]*?(?={stop}|$)").match(self.text, self.i)
        v = m.group(0)
        if not v:
            self.fail(f"the value after {column!r} is missing", f"write for example {column}<=20")
        if v[0] in "<>=!":
            self.fail(f"the value {v!r} starts with an operator character",
                      f"use one operator: {column}<=X, {column}>=X or {column}!=X")
        self.i = m.end()
        return _Value(v, quoted=False)


class _Value(str):
    """A value as written; `quoted` values are labels, never numbers."""

    def __new__(cls, text, quoted):
        s = super().__new__(cls, text)
        s.quoted = quoted
        return s

    def number(self):
        if self.quoted:
            return None
        try:
            return float(self)
        except ValueError:
            return None


def parse(text):
    """Parses one filter expression into a tree (syntax only; see `mask` for the checks)."""
    if not isinstance(text, str):
        raise FilterError(str(text), "a filter is a string", _HINT)
    tree = _Parser(text).parse()
    tree.text = text
    return tree


def _resolve(column, names):
    """The frame column a filter's column means (short names allowed), or None."""
    if column in names:
        return column
    full = SHORT_NAMES.get(column)
    return full if full in names else None


def columns(text):
    """The columns a filter reads, short names resolved, in order of appearance."""
    return [SHORT_NAMES.get(c, c) for c in parse(text).columns()]


def check_columns(text, names):
    """FilterError unless every column of the filter is in `names`, with a did-you-mean."""
    tree = parse(text)
    for c in _compares(tree):
        if _resolve(c.column, names) is None:
            raise FilterError(text, f"there is no column {c.column!r}"
                              f"{did_you_mean(c.column, list(names) + list(SHORT_NAMES))}",
                              f"columns: {', '.join(sorted(names))}", c.pos)


def _compares(node):
    if isinstance(node, Compare):
        return [node]
    if isinstance(node, Not):
        return _compares(node.arg)
    return [c for a in node.args for c in _compares(a)]


def _compare_mask(text, c, df):
    name = _resolve(c.column, df.columns)
    if name is None:
        raise FilterError(text, f"there is no column {c.column!r}"
                          f"{did_you_mean(c.column, list(df.columns) + list(SHORT_NAMES))}",
                          f"columns: {', '.join(df.columns)}", c.pos)
    col = df[name]
    op = c.op
    if isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object:
        labels = [str(x) for x in (col.cat.categories if isinstance(col.dtype, pd.CategoricalDtype)
                                   else pd.unique(col.dropna()))]
        if op not in ("=", "!=", "in", "notin"):
            raise FilterError(text, f"{name} is categorical: {op!r} does not apply",
                              f"compare labels with =, != or in, for example {name}="
                              f"{labels[0] if labels else 'LABEL'}", c.pos)
        for v in c.values:
            if str(v) not in labels:
                raise FilterError(text, f"{str(v)!r} is not a value of {name}"
                                  f"{did_you_mean(str(v), labels)}",
                                  f"values of {name} in this file: {', '.join(labels)}", c.pos)
        m = col.astype(object).isin([str(v) for v in c.values]).to_numpy()
        return m if op in ("=", "in") else ~m
    numbers = []
    for v in c.values:
        x = v.number()
        if x is None:
            raise FilterError(text, f"{name} is numeric and {str(v)!r} is not a number",
                              f"write a number, for example {name}<=20", c.pos)
        numbers.append(x)
    x = col.to_numpy(dtype=np.float64)
    if op in ("in", "notin"):
        m = np.isin(x, numbers)
        return m if op == "in" else ~m
    v = numbers[0]
    return {"<=": x <= v, ">=": x >= v, "<": x < v, ">": x > v, "=": x == v,
            "!=": x != v}[op]


def _mask(text, node, df):
    if isinstance(node, Compare):
        return _compare_mask(text, node, df)
    if isinstance(node, Not):
        return ~_mask(text, node.arg, df)
    masks = [_mask(text, a, df) for a in node.args]
    out = masks[0].copy()
    for m in masks[1:]:
        out = (out & m) if node.op == "and" else (out | m)
    return out


def mask(text, df):
    """Boolean array: the rows of df that satisfy filter `text` (FilterError when it cannot
    apply: unknown column, a label that is not a category, a word where a number belongs)."""
    return _mask(text, parse(text), df)
