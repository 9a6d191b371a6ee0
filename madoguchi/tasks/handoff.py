"""Hand-off plugins: how a routed task reaches its department's own system.

A small typed registry (as Open Forms does for its integrations): the core imports no
plugin by name; ``settings.MADOGUCHI_HANDOFF_ROUTES`` maps a department id to a plugin
name (default: ``local`` — the department works from madoguchi's own queue at /tasks/).

``simulated`` stands for a department system that can be unavailable: it fails while
its department is switched off (``set_unavailable``), so the retry path can be shown
and tested. A failed attempt is recorded and the task stays ``failed`` until a retry
succeeds; nothing is dropped.

A department task is not the only thing handed off: the 異動 record of a signed visit
goes to the core resident-register system on the route ``ido`` (its item has a
``department`` of ``"ido"`` and a ``pk``, so the plugins above serve it too; the counter
registers ``ido_file``, docs/ido.md). The app that owns such items registers how they are
retried (``register_retry``), so every retry door — ``madoguchi tasks retry``, the queue
pages' polling, ``POST /api/tasks/handoffs/retry`` — retries them with the tasks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from django.conf import settings


class HandOffError(Exception):
    """The department system did not accept the task (retry later)."""


@runtime_checkable
class HandOffPlugin(Protocol):
    name: str

    def send(self, task) -> str:
        """Deliver ``task``; return the receiving system's reference or raise HandOffError."""
        ...


_REGISTRY: dict[str, HandOffPlugin] = {}


def register(plugin: HandOffPlugin) -> HandOffPlugin:
    if not isinstance(plugin, HandOffPlugin):
        raise TypeError(f"{plugin!r} is not a HandOffPlugin")
    if plugin.name in _REGISTRY:
        raise ValueError(f"hand-off plugin {plugin.name!r} is already registered")
    _REGISTRY[plugin.name] = plugin
    return plugin


def get(name: str) -> HandOffPlugin:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown hand-off plugin {name!r}; known: {sorted(_REGISTRY)}") from None


def plugin_names() -> list[str]:
    return sorted(_REGISTRY)


def plugin_for(department: str) -> HandOffPlugin:
    routes = getattr(settings, "MADOGUCHI_HANDOFF_ROUTES", {}) or {}
    return get(routes.get(department, routes.get("*", "local")))


# name -> retry(force) -> {"retried": n, "sent": n}: other hand-off items than tasks
_RETRIES: dict[str, Callable[[bool], dict]] = {}


def register_retry(name: str, retry: Callable[[bool], dict]) -> None:
    """Let the retry doors of the tasks retry another kind of hand-off item too."""
    _RETRIES[name] = retry


def retry_others(force: bool = False) -> dict[str, dict]:
    """Retry every registered kind of item not yet delivered: name -> its counts."""
    return {name: retry(force) for name, retry in sorted(_RETRIES.items())}


@dataclass
class LocalQueue:
    """The department works from madoguchi's own queue: delivery is the queue row itself."""

    name: str = "local"

    def send(self, task) -> str:
        return f"local:{task.pk}"


@dataclass
class SimulatedSystem:
    """A department system that fails on demand (for demonstrations and tests)."""

    name: str = "simulated"

    def __post_init__(self):
        self._down: set[str] = set()
        self._lock = threading.Lock()

    def set_unavailable(self, department: str, down: bool = True) -> None:
        with self._lock:
            (self._down.add if down else self._down.discard)(department)

    def is_unavailable(self, department: str) -> bool:
        with self._lock:
            return department in self._down

    def send(self, task) -> str:
        if self.is_unavailable(task.department):
            raise HandOffError(f"{task.department}: 業務システムに接続できません（停止中）")
        return f"sim:{task.department}:{task.pk}"


local = register(LocalQueue())
simulated = register(SimulatedSystem())
