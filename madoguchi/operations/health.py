"""Probes for the service manager, the proxy and monitoring — open, without personal data.

``/healthz``: the process answers. ``/readyz``: it can serve the counter — the database
answers, every migration is applied, a catalog is published and loads, and the audit
chain's head can be read. Each check says only ``ok`` or ``fail`` (no error text, which
might quote a row); 503 when one fails.
"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger("madoguchi.health")
_migrations_seen_applied = False


def _database() -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")


def _migrations() -> None:
    global _migrations_seen_applied
    if _migrations_seen_applied:  # a running process's code does not change
        return
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise RuntimeError("unapplied migrations")
    _migrations_seen_applied = True


def _catalog() -> None:
    from madoguchi.catalog.loader import current_catalog
    from madoguchi.catalog.services import published_version

    if published_version() is None:
        raise RuntimeError("no published catalog")
    current_catalog()


def _audit() -> None:
    from madoguchi.audit.models import AuditHead, AuditRecord

    AuditHead.objects.only("seq").first()
    AuditRecord.objects.only("seq").order_by("-seq").first()


CHECKS = {"database": _database, "migrations": _migrations, "catalog": _catalog, "audit": _audit}


@login_not_required
@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def readyz(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # the type only: a message may quote data
            log.warning(
                "readiness check failed",
                extra={"fields": {"check": name, "error": type(exc).__name__}},
            )
            results[name] = "fail"
            if name == "database":  # nothing else can answer without it
                for rest in list(CHECKS)[1:]:
                    results[rest] = "skipped"
                break
    ok = all(v == "ok" for v in results.values())
    return JsonResponse(
        {"status": "ok" if ok else "fail", "checks": results}, status=200 if ok else 503
    )
