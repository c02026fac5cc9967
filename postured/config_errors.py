"""Messages for a broken config: the file, the line, the dotted key, what is wrong and the fix.

tomllib gives values without line numbers, so ``Locator`` indexes the keys and table
headers of the text once (one pass, linear in its size) and answers each error's line
from that index. A message lists at most ``MAX_LISTED`` errors, then how many more.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from postured.i18n import N_, _, ngettext

# More than this many errors is a file to fix a few at a time; the rest is one count.
MAX_LISTED = 20


class ConfigError(Exception):
    """A config that cannot be used; str() is the message for people."""


def describe(exc: ValidationError, locator: "Locator", source: str, root: type[BaseModel]) -> str:
    """pydantic's errors as located lines for people, at most MAX_LISTED of them."""
    errors = exc.errors(include_url=False)
    locs = [tuple(str(part) for part in error["loc"]) for error in errors]
    rows = [locator.where(source, loc) + f"{key_of(loc)}: " + _explain(error, loc, root)
            for error, loc in zip(errors[:MAX_LISTED], locs)]
    return "\n".join(rows + more(locator, source, locs))


def more(locator: "Locator", source: str, locs: list[tuple[str, ...]]) -> list[str]:
    """The closing line of a long list of errors: how many were left out, from where."""
    left = len(locs) - MAX_LISTED
    if left <= 0:
        return []
    return [locator.where(source, locs[MAX_LISTED]) + ngettext(
        "and {count} more error from here on (fix the ones above first)",
        "and {count} more errors from here on (fix the ones above first)", left).format(count=left)]


def key_of(loc: tuple[str, ...]) -> str:
    """('exercises', 'custom', '1', 'id') -> 'exercises.custom[1].id'."""
    key = "".join(f"[{part}]" if part.isdigit() else f".{_key_part(part)}" for part in loc).lstrip(".")
    return key or "(top level)"


def _key_part(part: str) -> str:
    # A key as written can be long or hold control characters (a quoted key); show it safely.
    return part if re.fullmatch(r"[A-Za-z0-9_\- ]{1,40}", part) else show(part)


# pydantic's wrong-type errors in our words (its English, lower-cased, as before).
_WRONG_TYPE = {
    "list_type": N_("{value} has the wrong type: input should be a valid list"),
    "string_type": N_("{value} has the wrong type: input should be a valid string"),
    "int_type": N_("{value} has the wrong type: input should be a valid integer"),
    "bool_type": N_("{value} has the wrong type: input should be a valid boolean"),
    "dict_type": N_("{value} has the wrong type: should be a table of keys"),
    "model_type": N_("{value} has the wrong type: should be a table of keys"),
    "model_attributes_type": N_("{value} has the wrong type: should be a table of keys"),
}
# pydantic's own sentences for these, in its English words as before, translatable.
_PYDANTIC = {
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
}


def _explain(error: dict, loc: tuple[str, ...], root: type[BaseModel]) -> str:
    """The sentence after the located part, in the person's language.

    Our validators' messages (PydanticCustomError) arrive translated already; pydantic's own
    are put in our words for the frequent types above; any other type (float_type,
    greater_than, too_short, enum, …: none the config's fields give in practice) keeps
    pydantic's English message.
    """
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return _("is required but missing")
    if kind == "extra_forbidden":
        known = _known_keys(root, loc[:-1])
        hint = did_you_mean(loc[-1], known)
        # Translators: {hint} is empty or ' (did you mean "interval"?)'; {known} lists the config keys
        return _("unknown key{hint} (known here: {known})").format(hint=hint, known=", ".join(known))
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", ctx["expected"])
        hint = did_you_mean(str(error["input"]), allowed)
        return _("{value} is not allowed{hint} (use one of: {allowed})").format(
            value=show(error["input"]), hint=hint, allowed=", ".join(allowed))
    if kind in _WRONG_TYPE:
        return _(_WRONG_TYPE[kind]).format(value=show(error["input"]))
    if kind in _PYDANTIC:
        return _(_PYDANTIC[kind]).format(**{key: ctx.get(key) for key in ("ge", "le")})
    if kind == "too_long":
        return _("has {count} entries; at most {most} are allowed here").format(
            count=ctx["actual_length"], most=ctx["max_length"])
    if kind == "string_too_long":
        return _("is longer than {most} characters; shorten it").format(most=ctx["max_length"])
    return error["msg"]


def show(value: Any) -> str:
    """A value as a message shows it: as written in TOML, on one line, cut short if long."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.isprintable():
        shown = f'"{value[:60]}"'
    else:
        # repr escapes control characters, so a message stays one line per error and
        # puts no escape sequence on the terminal.
        shown = repr(value[:60] if isinstance(value, str) else value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word[:100], choices, n=1)
    # Translators: the end of a sentence such as 'unknown key (did you mean "interval"?)'
    return _(' (did you mean "{word}"?)').format(word=close[0]) if close else ""


def _known_keys(root: type[BaseModel], table_loc: tuple[str, ...]) -> list[str]:
    model = root
    entry_next = False  # the part after a list or dict field is an index or a key, not a field
    for part in table_loc:
        if entry_next:
            entry_next = False
            continue
        field = model.model_fields.get(part)
        inner = _model_in(field.annotation) if field else None
        if inner is None:
            return []
        entry_next = get_origin(field.annotation) in (list, dict)
        model = inner
    return list(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds: itself, or the item of a list or dict of models."""
    if isinstance(annotation, type) and not get_args(annotation) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for m in map(_model_in, get_args(annotation)) if m is not None), None)


# ---------------------------------------------------------------- lines of keys

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*=")


def _dotted(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in text.split("."))


class _Node:
    """A table path seen in the text; ``count`` is set when it is an [[array]] of tables."""

    __slots__ = ("count", "children")

    def __init__(self) -> None:
        self.count: int | None = None
        self.children: dict[str, _Node] = {}


class Locator:
    """Best-effort line numbers of dotted keys in TOML text, indexed in one pass.

    A path may hold indices: ('exercises', 'custom', '1', 'region') is the region of the
    second [[exercises.custom]] table. A key that is absent (a missing required key) gives
    the line of the nearest table or key around it.
    """

    def __init__(self, text: str | None):
        self._first: dict[tuple[str, ...], int] = {}  # path -> first line at or inside it
        self._exact: dict[tuple[str, ...], int] = {}  # path -> first line of exactly it
        if text:
            self._index(text)

    def _index(self, text: str) -> None:
        root = _Node()
        table: tuple[str, ...] = ()
        for number, line in enumerate(text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header:
                table = found = self._header(root, _dotted(header.group(2)), header.group(1) == "[[")
            else:
                key = _KEY.match(line)
                if not key:
                    continue
                found = table + _dotted(key.group(1))
            self._exact.setdefault(found, number)
            for depth in range(1, len(found) + 1):
                self._first.setdefault(found[:depth], number)

    @staticmethod
    def _header(root: _Node, path: tuple[str, ...], array: bool) -> tuple[str, ...]:
        """The header's path with the current entry's index after each enclosing [[array]]."""
        if array:
            node = root
            for part in path:
                node = node.children.setdefault(part, _Node())
            node.count = (node.count or 0) + 1
            node.children = {}  # a new entry starts afresh: arrays inside the previous one are done
        node, out = root, ()
        for part in path:
            node = node.children.setdefault(part, _Node())
            out += (part,)
            if node.count is not None:
                out += (str(node.count - 1),)
        return out

    def line(self, loc: tuple[str, ...]) -> int | None:
        if not loc:
            return None
        if loc in self._first:
            return self._first[loc]  # the key itself, or the first key or table inside it
        for depth in range(len(loc) - 1, 0, -1):
            if loc[:depth] in self._exact:
                return self._exact[loc[:depth]]
        return None

    def where(self, source: str, loc: tuple[str, ...]) -> str:
        line = self.line(loc)
        return f"{source}: line {line}: " if line else f"{source}: "
