"""Tables that apps above analytics add to the manager dashboard.

analytics sits below counter and certificates in the layer order and imports none of
them: an app registers a provider in its ``AppConfig.ready`` and the dashboard appends
what the provider returns. A provider is ``provider(start, end, group) -> list[Table]``
(``dashboard.Table``): counts and amounts only, never a person — the tables go to the
page, to the CSV export and to anyone with the manager role.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

_providers: list[Callable] = []


def register(provider: Callable) -> Callable:
    """Add a provider (once; registering the same function again changes nothing)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def tables(start: date, end: date, group: str = "") -> list:
    out: list = []
    for provider in _providers:
        out.extend(provider(start, end, group))
    return out
