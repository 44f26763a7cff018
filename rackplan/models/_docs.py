"""Field docstrings as field descriptions, on demand.

Every model documents its fields with a docstring under each field. pydantic can read them when
a class is created (``use_attribute_docstrings``), but that parses each class's source and cost
25 ms of every command's start, for descriptions only the JSON Schema (``rackplan schema``) and
the documentation tests read. :func:`describe` reads them instead when those ask: one parse per
module, the same text pydantic would have given, then the models rebuilt so their schemas carry
it. Validation and serialization never depend on descriptions.
"""

from __future__ import annotations

import ast
import inspect
import sys
from functools import cache

from pydantic import BaseModel

_DONE: set[type[BaseModel]] = set()


@cache
def _module_docs(module: str) -> dict[str, dict[str, str]]:
    """Class name -> field name -> docstring, for every class of ``module``."""
    source = inspect.getsource(sys.modules[module])
    out: dict[str, dict[str, str]] = {}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef):
            continue
        docs: dict[str, str] = {}
        body = node.body
        for stmt, after in zip(body, body[1:], strict=False):
            if (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
                    and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                    and isinstance(after.value.value, str)):
                docs[stmt.target.id] = inspect.cleandoc(after.value.value)
        out[node.name] = docs
    return out


def _models_of(root: type[BaseModel]) -> list[type[BaseModel]]:
    """``root`` and every model its fields use, children before parents."""
    seen: list[type[BaseModel]] = []

    def visit(cls: type[BaseModel]) -> None:
        if cls in seen:
            return
        for info in cls.model_fields.values():
            for sub in _nested(info.annotation):
                visit(sub)
        seen.append(cls)

    visit(root)
    return seen


def _nested(annotation: object) -> list[type[BaseModel]]:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _nested(arg)]


def describe(*roots: type[BaseModel]) -> None:
    """Give every field of ``roots`` (and the models they use) its docstring as description."""
    for root in roots:
        for cls in _models_of(root):
            if cls in _DONE:
                continue
            changed = False
            for name, info in cls.model_fields.items():
                if info.description is not None:
                    continue
                for owner in cls.__mro__:
                    doc = _module_docs(owner.__module__).get(owner.__name__, {}).get(name) \
                        if owner.__module__ in sys.modules and isinstance(owner, type) \
                        and issubclass(owner, BaseModel) and owner is not BaseModel else None
                    if doc:
                        info.description = doc
                        changed = True
                        break
            if changed:
                cls.model_rebuild(force=True)
            _DONE.add(cls)
