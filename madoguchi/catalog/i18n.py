"""Catalog text in a language: the one lookup of an entry's ``en:`` block.

A catalog entry's own fields are Japanese; its translations live in a ``<lang>:`` block
beside them (``en: {name: …, bring: […]}``, docs/catalog.md). Pure: no Django."""

from __future__ import annotations

from typing import Any


def field_of(obj: Any, key: str, default: Any = None) -> Any:
    """``obj[key]`` of a mapping, ``obj.key`` of an object, ``default`` when absent."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def text_in(obj: Any, key: str, lang: str, default: Any = None) -> Any:
    """``obj``'s ``key`` in ``lang``: Japanese is the entry's own field, another language
    its ``<lang>:`` block; ``default`` when the entry has no (non-empty) text there."""
    if obj is None:
        return default
    value = field_of(obj, key) if lang == "ja" else field_of(field_of(obj, lang) or {}, key)
    return default if value in (None, "", []) else value


def latest_text_in(versions: list, key: str, lang: str) -> Any:
    """The newest version's text in ``lang`` among a catalog entry's versions, or None."""
    for version in reversed(versions or []):
        value = text_in(version, key, lang)
        if value is not None:
            return value
    return None
