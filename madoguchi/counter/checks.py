"""Start-up checks of the hand-off routes (``madoguchi check``; docs/ido.md): a route to a
plugin nobody registered would fail every hand-off of its department, and the 異動 drop
folder plugin needs its folder."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core import checks


@checks.register()
def check_handoff_routes(app_configs, **kwargs):
    from madoguchi.tasks import handoff

    from .models import IdoHandOff

    out = []
    routes = getattr(settings, "MADOGUCHI_HANDOFF_ROUTES", {}) or {}
    for route, name in sorted(routes.items()):
        if name not in handoff.plugin_names():
            out.append(
                checks.Error(
                    f"MADOGUCHI_HANDOFF_ROUTES: {route}={name}: no such hand-off plugin "
                    f"(known: {', '.join(handoff.plugin_names())}).",
                    id="madoguchi.E201",
                )
            )
    if routes.get(IdoHandOff.ROUTE, routes.get("*")) == "ido_file":
        folder = getattr(settings, "MADOGUCHI_IDO_DROP_DIR", "") or ""
        if not folder:
            out.append(
                checks.Error(
                    "The 異動 record is routed to ido_file but MADOGUCHI_IDO_DROP_DIR is empty.",
                    id="madoguchi.E202",
                )
            )
        elif not Path(folder).is_dir():
            out.append(
                checks.Warning(
                    f"MADOGUCHI_IDO_DROP_DIR {folder} is not a folder (not mounted?): every "
                    "異動 record waits as 連携失敗 until it is.",
                    id="madoguchi.W203",
                )
            )
    return out
