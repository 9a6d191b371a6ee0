"""Reading, validating and exporting a municipality's catalog folder.

Layout (see docs/catalog.md)::

    catalog.yaml            municipality id, name, code
    departments.yaml        課: id, name, place (窓口の場所), en
    events.yaml             life events
    parameters.yaml         local parameters, versioned
    rules.yaml              conditions (JSON Logic + Japanese labels), versioned; exclusions
    questions.yaml          interview questions (which fact each sets)
    procedures/*.yaml       procedures, versioned, with their triggers
    forms/<id>/form.yaml    forms (owned by madoguchi.documents; read as opaque metadata)

Every problem is collected with file and line; a catalog with any problem raises
:class:`CatalogError` and nothing of it is used.

The catalog app, by concern: ``model`` (what a loaded catalog is), ``validation`` (the
collector, version periods, JSON Logic analysis), ``files`` (one loader per file and the
cross-file checks), ``export`` (YAML out); this module runs them in order and keeps the
loaded catalogs.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from madoguchi.catalog.export import canonical, export_catalog
from madoguchi.catalog.files import (
    check_condition_periods,
    check_exclusions,
    check_form_procedures,
    read_departments,
    read_events,
    read_forms,
    read_meta,
    read_parameters,
    read_procedures,
    read_questions,
    read_rules,
)
from madoguchi.catalog.model import (
    DEADLINE_COUNTING,
    FAR_FUTURE,
    QUESTION_PERSONS,
    Catalog,
    CatalogError,
    CatalogView,
    Condition,
    Department,
    Event,
    Issue,
    Parameter,
    Procedure,
    Question,
    Trigger,
    Versioned,
)
from madoguchi.catalog.validation import Collector, check_versions
from madoguchi.catalog.yamlio import plain
from madoguchi.rules.logic import ENGINE, ITERATORS, analyse_logic

DEMO_DIR = Path(__file__).resolve().parent / "data" / "demo"
FILES = ("catalog.yaml", "departments.yaml", "events.yaml", "parameters.yaml", "rules.yaml")

__all__ = [
    "DEADLINE_COUNTING",
    "DEMO_DIR",
    "ENGINE",
    "FAR_FUTURE",
    "FILES",
    "ITERATORS",
    "QUESTION_PERSONS",
    "Catalog",
    "CatalogError",
    "CatalogView",
    "Condition",
    "Department",
    "Event",
    "Issue",
    "Parameter",
    "Procedure",
    "Question",
    "Trigger",
    "Versioned",
    "analyse_logic",
    "canonical",
    "current_catalog",
    "default_dir",
    "demo_catalog",
    "export_catalog",
    "load_catalog",
]


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Read and validate a catalog folder; raise CatalogError listing every problem."""
    root = Path(path) if path is not None else default_dir()
    c = Collector(root)
    if not root.is_dir():
        c.add(str(root), 0, "カタログのフォルダがありません")
        raise CatalogError(c.issues)
    files: dict[str, Any] = {}
    meta = read_meta(c, files)
    departments = read_departments(c, files)
    events = read_events(c, files)
    parameters = read_parameters(c, files)
    conditions, exclusions = read_rules(c, files)
    forms, form_procs = read_forms(c)
    procedures = read_procedures(c, files, departments, forms, conditions)
    check_form_procedures(c, forms, form_procs, procedures)
    check_exclusions(c, exclusions, procedures)
    questions = read_questions(c, files)
    check_condition_periods(c, procedures, conditions)
    check_versions(c, "手続", procedures)
    check_versions(c, "条件", conditions)
    check_versions(c, "パラメータ", parameters)
    read_extensions(c, files)

    if c.issues:
        raise CatalogError(c.issues)
    return Catalog(
        path=root,
        municipality=str(meta.get("municipality", "")),
        name=str(meta.get("name", "")),
        code=str(meta.get("code", "")),
        meta=plain(meta),
        departments=departments,
        events=events,
        parameters=parameters,
        conditions=conditions,
        exclusions=[plain(x) for x in exclusions],
        procedures=procedures,
        questions=questions,
        forms=forms,
        files=files,
    )


def read_extensions(c: Collector, files: dict[str, Any]) -> None:
    """The files apps above the catalog own (``extensions``), each checked by its app."""
    from madoguchi.catalog import extensions

    for ext in extensions.registered():
        data = c.read(ext.file, required=False)
        if data is None:
            continue
        files[ext.file] = data
        for line, message in ext.check(c.root):
            c.add(ext.file, line, message)


def default_dir() -> Path:
    try:
        from django.conf import settings

        if settings.configured:
            return Path(settings.MADOGUCHI_CATALOG_DIR)
    except ImportError:  # pragma: no cover
        pass
    return DEMO_DIR


@functools.cache
def demo_catalog() -> Catalog:
    """The demo municipality's catalog, loaded once per process."""
    return load_catalog(DEMO_DIR)


_CURRENT: dict[str, Catalog] = {}


def current_catalog() -> Catalog:
    """The published catalog version (catalog/versions.py: checked per request, loaded
    once per label); before the first publication, the configured folder
    (settings.MADOGUCHI_CATALOG_DIR), loaded once."""
    from madoguchi.catalog import versions

    published = versions.current()
    if published is not None:
        return published
    key = str(default_dir())
    cat = _CURRENT.get(key)
    if cat is None:
        cat = _CURRENT[key] = load_catalog(key)
    return cat
