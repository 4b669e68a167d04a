"""Typed, checked chapter parameters, whatever they come from.

A chapter's knobs arrive from its ``parameters`` cell, a profile's YAML file, the runner's
``-p name value`` overrides, or papermill's own ``-p``/``-y`` flags. Two of those deliver
strings where numbers or lists were meant: PyYAML reads ``1e-3`` (no decimal point) as a
string, and papermill passes ``-p widths "[128, 256]"`` as the string ``"[128, 256]"``. So
every value is coerced element by element against a spec, and anything that does not fit
stops the chapter at its top with a message naming the parameter and the element.

In a chapter, right after the parameters cell::

    nts.check_parameters(globals(), {
        "alpha": nts.Real(gt=1),
        "widths": nts.ListOf(nts.Int(ge=2), min_len=3, increasing=True),  # enough points to fit
        "loss": nts.Choice(["mse", "cross_entropy"]),
        "seed_chunk": nts.Optional(nts.Int(ge=1)),
    })

The coerced values are written back into the namespace.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, MutableMapping, Sequence

import yaml

__all__ = [
    "ParameterError",
    "Int",
    "Real",
    "Bool",
    "Str",
    "Choice",
    "ListOf",
    "Optional",
    "Anything",
    "check_parameters",
    "coerce_parameter",
    "spec_from_default",
]


class ParameterError(ValueError):
    """A parameter is unknown, missing, of the wrong type, or out of range."""


class _Spec:
    """Base class: ``coerce(value, where)`` returns the checked value or raises ParameterError."""

    def coerce(self, value: Any, where: str) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


def _bounds_text(**bounds: float | None) -> str:
    ops = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
    return " and ".join(f"{ops[k]} {v:g}" for k, v in bounds.items() if v is not None)


def _check_bounds(value: float, where: str, what: str, **bounds: float | None) -> None:
    gt, ge, lt, le = bounds.get("gt"), bounds.get("ge"), bounds.get("lt"), bounds.get("le")
    if (gt is not None and not value > gt) or (ge is not None and not value >= ge) or (
        lt is not None and not value < lt
    ) or (le is not None and not value <= le):
        raise ParameterError(f"{where} must be {what} {_bounds_text(**bounds)}, got {value!r}")


class Int(_Spec):
    """An integer, optionally bounded. Accepts integral floats (``1e3``) and digit strings.

    Args:
        ge: the smallest allowed value, or None.
        le: the largest allowed value, or None.
    """

    def __init__(self, *, ge: int | None = None, le: int | None = None) -> None:
        self.ge, self.le = ge, le

    def coerce(self, value: Any, where: str) -> int:
        out = value
        if isinstance(value, str):
            try:
                out = float(value.strip()) if any(c in value for c in ".eE") else int(value.strip())
            except ValueError:
                raise ParameterError(f"{where} must be an integer, got the string {value!r}") from None
        if isinstance(out, bool) or not isinstance(out, (int, float)):
            raise ParameterError(f"{where} must be an integer, got {type(value).__name__} {value!r}")
        if isinstance(out, float):
            if not (math.isfinite(out) and out == int(out)):
                raise ParameterError(f"{where} must be an integer, got {value!r}")
            out = int(out)
        _check_bounds(out, where, "an integer", ge=self.ge, le=self.le)
        return int(out)

    def describe(self) -> str:
        return "integer" + (f" {_bounds_text(ge=self.ge, le=self.le)}" if (self.ge, self.le) != (None, None) else "")


class Real(_Spec):
    """A finite real number, optionally bounded. Accepts ints and numeric strings (``"1e-3"``).

    Args:
        gt: strict lower bound, or None.
        ge: lower bound, or None.
        lt: strict upper bound, or None.
        le: upper bound, or None.
    """

    def __init__(self, *, gt: float | None = None, ge: float | None = None, lt: float | None = None,
                 le: float | None = None) -> None:
        self.bounds = dict(gt=gt, ge=ge, lt=lt, le=le)

    def coerce(self, value: Any, where: str) -> float:
        out = value
        if isinstance(value, str):
            try:
                out = float(value.strip())
            except ValueError:
                raise ParameterError(f"{where} must be a number, got the string {value!r}") from None
        if isinstance(out, bool) or not isinstance(out, (int, float)):
            raise ParameterError(f"{where} must be a number, got {type(value).__name__} {value!r}")
        out = float(out)
        if not math.isfinite(out):
            raise ParameterError(f"{where} must be finite, got {value!r}")
        _check_bounds(out, where, "a number", **self.bounds)
        return out

    def describe(self) -> str:
        text = _bounds_text(**self.bounds)
        return "number" + (f" {text}" if text else "")


class Bool(_Spec):
    """True or False (also the strings true/false, any case)."""

    def coerce(self, value: Any, where: str) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise ParameterError(f"{where} must be True or False, got {type(value).__name__} {value!r}")

    def describe(self) -> str:
        return "True or False"


class Str(_Spec):
    """Any string."""

    def coerce(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise ParameterError(f"{where} must be a string, got {type(value).__name__} {value!r}")
        return value

    def describe(self) -> str:
        return "string"


class Choice(_Spec):
    """One of a fixed set of strings.

    Args:
        options: the allowed values.
    """

    def __init__(self, options: Sequence[str]) -> None:
        self.options = tuple(options)

    def coerce(self, value: Any, where: str) -> str:
        if value not in self.options:
            raise ParameterError(f"{where} must be one of {list(self.options)}, got {value!r}")
        return value

    def describe(self) -> str:
        return f"one of {list(self.options)}"


class Anything(_Spec):
    """Anything (no check); for parameters whose default is None in a profile-only check."""

    def coerce(self, value: Any, where: str) -> Any:
        return value

    def describe(self) -> str:
        return "any value"


class Optional(_Spec):
    """None (also the strings None/null) or a value of ``inner``.

    Args:
        inner: the spec of the value when it is not None.
    """

    def __init__(self, inner: _Spec) -> None:
        self.inner = inner

    def coerce(self, value: Any, where: str) -> Any:
        if value is None or (isinstance(value, str) and value.strip() in ("None", "null", "~")):
            return None
        return self.inner.coerce(value, where)

    def describe(self) -> str:
        return f"None or {self.inner.describe()}"


class ListOf(_Spec):
    """A list whose every element fits ``item``; a string is parsed as a YAML list first.

    Args:
        item: the spec of each element.
        min_len: the fewest elements (e.g. 3 to fit an exponent with an interval).
        max_len: the most elements, or None.
        increasing: elements must be strictly increasing.
        distinct: elements must be distinct.
    """

    def __init__(self, item: _Spec, *, min_len: int = 1, max_len: int | None = None, increasing: bool = False,
                 distinct: bool = False) -> None:
        self.item, self.min_len, self.max_len = item, min_len, max_len
        self.increasing, self.distinct = increasing, distinct

    def coerce(self, value: Any, where: str) -> list:
        raw = value
        if isinstance(value, str):
            try:
                raw = yaml.safe_load(value)
            except yaml.YAMLError as exc:
                raise ParameterError(f"{where} must be a list such as [1, 2, 3]; could not parse {value!r} ({exc})") from None
        if not isinstance(raw, (list, tuple)):
            raise ParameterError(f"{where} must be a list of {self.item.describe()}, got {type(value).__name__} {value!r}")
        out = [self.item.coerce(v, f"{where}[{i}]") for i, v in enumerate(raw)]
        if len(out) < self.min_len:
            raise ParameterError(f"{where} needs at least {self.min_len} elements, got {len(out)}: {out}")
        if self.max_len is not None and len(out) > self.max_len:
            raise ParameterError(f"{where} takes at most {self.max_len} elements, got {len(out)}")
        if self.increasing and any(not b > a for a, b in zip(out, out[1:])):
            raise ParameterError(f"{where} must be strictly increasing, got {out}")
        if self.distinct and len(set(map(repr, out))) != len(out):
            raise ParameterError(f"{where} must not repeat elements, got {out}")
        return out

    def describe(self) -> str:
        return f"list of {self.item.describe()} (at least {self.min_len})"


def coerce_parameter(spec: _Spec, value: Any, where: str) -> Any:
    """``spec.coerce(value, where)``, for callers outside a chapter (the runner).

    Args:
        spec: a spec (:class:`Int`, :class:`Real`, ...).
        value: the value to check.
        where: how to name it in messages, e.g. ``"parameter 'lr'"``.

    Returns:
        The coerced value.

    Raises:
        ParameterError: the value does not fit the spec.
    """
    return spec.coerce(value, where)


def spec_from_default(default: Any) -> _Spec:
    """The loosest spec a default value implies: its type, element by element for lists.

    Used by the runner to type profile values and command-line overrides before a chapter
    starts; the chapter's own ``check_parameters`` adds ranges.

    Args:
        default: a parameter's default value (a literal).

    Returns:
        A spec: :class:`Bool`, :class:`Int`, :class:`Real`, :class:`Str`, :class:`ListOf`
        (element by element) or :class:`Anything`.
    """
    if default is None:
        return Anything()
    if isinstance(default, bool):
        return Bool()
    if isinstance(default, int):
        return Int()
    if isinstance(default, float):
        return Real()
    if isinstance(default, str):
        return Str()
    if isinstance(default, (list, tuple)):
        items = [d for d in default if d is not None]
        if items and all(isinstance(d, (int, float)) and not isinstance(d, bool) for d in items):
            item: _Spec = Real() if any(isinstance(d, float) for d in items) else Int()
        elif items and all(isinstance(d, type(items[0])) for d in items):
            item = spec_from_default(items[0])
        else:
            item = Anything()
        return ListOf(item, min_len=0)
    return Anything()


def check_parameters(namespace: MutableMapping[str, Any], spec: Mapping[str, _Spec]) -> dict[str, Any]:
    """Coerce and check a chapter's parameters in place; return them as a dict.

    Args:
        namespace: where the parameters live (a chapter passes ``globals()``).
        spec: one spec per parameter name.

    Returns:
        The coerced values by name (also written back into ``namespace``).

    Raises:
        ParameterError: a parameter is missing, of the wrong type or out of range; the
            message names it (and the list element).
    """
    out: dict[str, Any] = {}
    missing = [name for name in spec if name not in namespace]
    if missing:
        raise ParameterError(f"parameters {missing} are checked but not set in the parameters cell")
    for name, rule in spec.items():
        if not isinstance(rule, _Spec):
            raise TypeError(f"spec for {name!r} must be one of Int, Real, Bool, Str, Choice, ListOf, Optional")
        out[name] = rule.coerce(namespace[name], f"parameter {name!r}")
        namespace[name] = out[name]
    return out
