"""Catalog business actions: load a validated catalog folder into the database."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from django.db import transaction

from madoguchi.audit.services import record

from .loader import load_catalog
from .models import CatalogVersion, Department, Procedure


def digest_of(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".yaml", ".yml", ".typ"):
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def load_into_db(path=None, actor=None) -> CatalogVersion:
    """Validate the folder (raise CatalogError, nothing written) and publish it as rows.

    Loading the same files again returns the published version unchanged.
    """
    catalog = load_catalog(path)
    digest = digest_of(catalog.path)
    with transaction.atomic():
        current = CatalogVersion.objects.filter(
            published=True, municipality=catalog.municipality
        ).first()
        if current and current.digest == digest:
            return current
        CatalogVersion.objects.filter(published=True, municipality=catalog.municipality).update(
            published=False
        )
        version = CatalogVersion.objects.create(
            municipality=catalog.municipality,
            name=catalog.name,
            code=catalog.code,
            label=catalog.at(date.today()).version,
            digest=digest,
            source=str(catalog.path),
            published=True,
            meta={
                "events": {e.id: {"name": e.name, "en": e.en} for e in catalog.events.values()},
                "forms": {
                    fid: {"name": f.get("name", ""), "per": f.get("per", "")}
                    for fid, f in catalog.forms.items()
                },
            },
        )
        Department.objects.bulk_create(
            Department(
                version=version,
                dept_id=d.id,
                name=d.name,
                place=d.place,
                handles=d.handles,
                position=i,
                en=d.en,
            )
            for i, d in enumerate(catalog.departments.values())
        )
        rows = []
        for i, versions in enumerate(catalog.procedures.values()):
            for p in versions:
                rows.append(
                    Procedure(
                        version=version,
                        proc_id=p.id,
                        name=p.name,
                        department=p.department,
                        scope=p.scope,
                        valid_from=p.valid_from,
                        valid_to=p.valid_to,
                        position=i,
                        data={
                            "forms": p.forms,
                            "no_form": p.no_form,
                            "bring": p.bring,
                            "deadline": p.deadline,
                            "legal_basis": p.legal_basis,
                            "en": p.en,
                            "triggers": [
                                {
                                    "events": list(t.events) or "all",
                                    "name": t.name,
                                    "when": [("not " if n else "") + c for c, n in t.when],
                                }
                                for t in p.triggers
                            ],
                        },
                    )
                )
        Procedure.objects.bulk_create(rows)
        record(actor, "catalog.load", query=f"{catalog.municipality} {version.label} {digest[:12]}")
        return version


def published_version(municipality: str | None = None) -> CatalogVersion | None:
    qs = CatalogVersion.objects.filter(published=True)
    if municipality:
        qs = qs.filter(municipality=municipality)
    return qs.first()
