"""Catalog business actions: load a validated catalog folder into the database."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from madoguchi.audit.services import record

from . import versions as published_versions
from .loader import load_catalog
from .models import CatalogFile, CatalogVersion, Department, Procedure


def catalog_files(root: Path) -> dict[str, bytes]:
    """Every file of a catalog folder (relative path with "/" → bytes), in name order;
    hidden files and editor leftovers are not part of it."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            if not path.name.endswith(("~", ".swp", ".bak", ".orig")):
                out[rel.as_posix()] = path.read_bytes()
    return out


def digest_of(root: Path | dict) -> str:
    """SHA-256 over every file's relative path and bytes, in path order (whatever order
    the files come in: a folder, or a version's rows)."""
    files = catalog_files(root) if isinstance(root, Path) else root
    h = hashlib.sha256()
    for rel in sorted(files):
        h.update(rel.encode())
        h.update(files[rel])
    return h.hexdigest()


def _label(municipality: str, digest: str) -> str:
    """``YYYY-MM-DD.N.digest8``: the day of publication, the how-manieth of that day, and
    the content (so two versions are told apart by their label alone)."""
    today = timezone.localdate()
    n = CatalogVersion.objects.filter(
        municipality=municipality, label__startswith=f"{today.isoformat()}."
    ).count()
    return f"{today.isoformat()}.{n + 1}.{digest[:8]}"


def load_into_db(path=None, actor=None) -> CatalogVersion:
    """Validate the folder (raise CatalogError, nothing written) and publish it as a new
    immutable version (its files and, for the browser, its rows); every worker reads it
    from its next request (catalog/versions.py).

    Loading the same files as the published version again returns it unchanged.
    """
    catalog = load_catalog(path)
    files = catalog_files(Path(catalog.path))
    digest = digest_of(files)
    with transaction.atomic():
        CatalogVersion.objects.select_for_update().filter(
            municipality=catalog.municipality
        ).exists()  # serialise two publications
        current = (
            CatalogVersion.objects.filter(published=True, municipality=catalog.municipality)
            .order_by("-pk")
            .first()
        )
        if current and current.digest == digest:
            return current
        CatalogVersion.objects.filter(published=True).update(published=False)
        version = CatalogVersion.objects.create(
            municipality=catalog.municipality,
            name=catalog.name,
            code=catalog.code,
            label=_label(catalog.municipality, digest),
            in_force=catalog.at(timezone.localdate()).version,
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
                            "counter_completion": p.counter_completion,
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
        CatalogFile.objects.bulk_create(
            CatalogFile(version=version, path=rel, content=content)
            for rel, content in files.items()
        )
        record(
            actor,
            "catalog.publish",
            query=f"{catalog.municipality} {version.label} {len(files)} files sha256:{digest}",
        )
        transaction.on_commit(published_versions.forget)
        return version


def published_version(municipality: str | None = None) -> CatalogVersion | None:
    qs = CatalogVersion.objects.filter(published=True)
    if municipality:
        qs = qs.filter(municipality=municipality)
    return qs.order_by("-pk").first()
