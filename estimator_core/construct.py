"""Models from JSON that is known to be valid, without validating it again.

``model_validate`` builds a model's schema (milliseconds per model, paid once per process)
and checks every value. For a document whose exact bytes have already been validated
(a shipped catalog, pinned by its SHA-256 in ``estimator_core.catalogs``) both are wasted
at a cold start: ``construct`` makes the same objects with ``model_construct``, doing
only the conversions validation would do to JSON values for these field types (arrays to
tuples, numbers to float where the field is a float). Values are not checked: this is
for trusted, already validated data only. Supported field types are the catalog's:
str, int, float, bool, Literal, ``X | None``, ``tuple[X, ...]``, fixed tuples and models;
anything else raises ``TypeError`` (a test builds every shipped catalog both ways).
Pure: no I/O.
"""

from __future__ import annotations

import types
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def construct(cls: type[M], data: dict[str, Any]) -> M:
    """``cls`` built from ``data`` as validation would build it, without checking it."""
    fields = cls.model_fields
    values = {name: _value(fields[name].annotation, value) for name, value in data.items()}
    return cls.model_construct(**values)


def _value(annotation: Any, value: Any) -> Any:
    origin = get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return construct(annotation, value)
    if origin is Union or origin is types.UnionType:
        if value is None:
            return None
        options = [a for a in get_args(annotation) if a is not type(None)]
        if len(options) != 1:
            raise TypeError(f"construct: unsupported union {annotation!r}")
        return _value(options[0], value)
    if origin is tuple:
        args = get_args(annotation)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_value(args[0], v) for v in value)
        return tuple(_value(a, v) for a, v in zip(args, value, strict=True))
    if annotation is float:
        return float(value)
    if annotation in (str, int, bool) or origin is Literal:
        return value
    raise TypeError(f"construct: unsupported field type {annotation!r}")
