"""Which catalog the product reads: the version published in the database.

``current()`` answers the published version's catalog. Every worker checks the
published label cheaply — once per request (``CatalogVersionMiddleware``) and, outside
requests (commands, jobs), at most every ``MADOGUCHI_CATALOG_CHECK_SECONDS`` — and keeps
one loaded :class:`Catalog` per label, so ``madoguchi catalog load`` in one process is
picked up by every running worker at its next request, without a restart.

A version's files are written once to ``<data dir>/catalog-versions/<label>/`` (the
forms' Typst templates are read from there) and loaded from that folder. Published
versions are immutable, so any of them can be loaded again by its label
(``by_label``): a visit reprints with the version it was determined and signed with.

Before the first ``catalog load`` (a fresh demo, tests), the configured folder
(``MADOGUCHI_CATALOG_DIR``) is read as before; in production there is then no catalog
(the pages say so, ``/readyz`` fails) until one is published.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from contextvars import ContextVar
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError

from .model import Catalog, CatalogError, Issue

_BY_LABEL: dict[str, Catalog] = {}
_checked: dict = {"at": -1e9, "label": None}
# Set per request by the middleware: {"label": …} once asked.
_request: ContextVar[dict | None] = ContextVar("madoguchi_catalog_request", default=None)


def _query_label() -> str | None:
    from .models import CatalogVersion

    try:
        return (
            CatalogVersion.objects.filter(published=True)
            .order_by("-pk")
            .values_list("label", flat=True)
            .first()
        )
    except (DatabaseError, RuntimeError):
        # No database (yet): not migrated, or code that runs without one (pure rule
        # tests block database access with a RuntimeError). The folder then serves.
        return None


def published_label() -> str | None:
    """The label of the published version (None: nothing published yet)."""
    state = _request.get()
    if state is not None:
        if "label" not in state:
            state["label"] = _query_label()
        return state["label"]
    now = time.monotonic()
    ttl = float(getattr(settings, "MADOGUCHI_CATALOG_CHECK_SECONDS", 2))
    if now - _checked["at"] >= ttl:
        _checked["label"], _checked["at"] = _query_label(), now
    return _checked["label"]


def forget() -> None:
    """Ask the database again at the next read (after a publication in this process)."""
    _checked["at"] = -1e9
    state = _request.get()
    if state is not None:
        state.pop("label", None)


def cache_dir() -> Path:
    configured = getattr(settings, "MADOGUCHI_CATALOG_CACHE_DIR", "")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "catalog-versions"


def materialise(label: str) -> Path:
    """The folder holding the files of version ``label`` (written once, atomically)."""
    from .models import CatalogFile, CatalogVersion

    target = cache_dir() / label
    if (target / ".complete").exists():
        return target
    version = CatalogVersion.objects.filter(label=label).order_by("-pk").first()
    if version is None:
        raise CatalogError([Issue(label, 0, "この版のカタログは登録されていません")])
    files = CatalogFile.objects.filter(version=version)
    if not files.exists():
        # Published before versions kept their files (upgrade): its source folder.
        if Path(version.source).is_dir():
            return Path(version.source)
        raise CatalogError(
            [Issue(label, 0, "この版のファイルがありません: madoguchi catalog load で再登録")]
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{label}-", dir=target.parent))
    for f in files.iterator():
        rel = Path(f.path)
        if rel.is_absolute() or ".." in rel.parts:  # only ever written inside the folder
            shutil.rmtree(tmp, ignore_errors=True)
            raise CatalogError([Issue(label, 0, f"不正なファイル名です: {f.path}")])
        out = tmp / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(bytes(f.content))
    (tmp / ".complete").write_text(label)
    try:
        os.replace(tmp, target)
    except OSError:  # another worker wrote it first: the same bytes
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def by_label(label: str) -> Catalog:
    """The catalog of a published version, loaded once per process."""
    from .loader import load_catalog

    cat = _BY_LABEL.get(label)
    if cat is None:
        cat = _BY_LABEL[label] = load_catalog(materialise(label))
        cat.label = label
    return cat


def of(catalog_version: dict | None) -> Catalog:
    """The catalog a record was made with (a visit's ``catalog_version``: its published
    label), so that its forms print again as they were signed; the current catalog for a
    record made before versions had labels."""
    from .loader import current_catalog

    label = (catalog_version or {}).get("label")
    return by_label(label) if label else current_catalog()


def current() -> Catalog | None:
    """The published version's catalog; None when nothing is published yet."""
    label = published_label()
    if label is None:
        if getattr(settings, "MADOGUCHI_PRODUCTION", False) and _query_label() is None:
            raise CatalogError(
                [Issue("catalog", 0, "カタログが登録されていません: madoguchi catalog load DIR")]
            )
        return None
    return by_label(label)


def current_dir() -> Path:
    """The folder of the catalog in force: the published version's files, or the
    configured folder before the first publication. Apps that keep files of their own in
    the catalog (certificates.yaml) read them here, so they follow a publication like the
    rules and forms do."""
    from .loader import default_dir

    label = published_label()
    return materialise(label) if label else default_dir()


class CatalogVersionMiddleware:
    """One cheap look at the published label per request that reads the catalog."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set({})
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def current_code() -> str:
    """The municipality code (地方公共団体コード) of the catalog in force: the default of
    ``municipality_code`` on every ticket, visit and task the product creates."""
    from .loader import current_catalog

    return current_catalog().code
