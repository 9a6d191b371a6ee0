"""Catalog files owned by apps above the catalog (e.g. ``certificates.yaml``).

The catalog sits below those apps in the layer order and imports none of them: an app
registers its file in its ``AppConfig.ready`` with a check that returns the problems
as ``(line, message)``. ``catalog check``/``load`` then report them as
``file:line: message`` like every other catalog file, and ``catalog export`` writes the
file back in the same layout (with the support folders the app names, e.g. its
templates), so that export → check → export gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Extension:
    file: str  # relative to the catalog folder
    check: Callable[[Path], list[tuple[int, str]]]  # the folder → (line, message) problems
    folders: tuple[str, ...] = ()  # support folders copied by ``catalog export``


_registry: dict[str, Extension] = {}


def register(ext: Extension) -> None:
    _registry[ext.file] = ext


def registered() -> list[Extension]:
    return list(_registry.values())
