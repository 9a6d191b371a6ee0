"""Checking a catalog folder: the collector that records every problem with file and line,
version periods, and the analysis of a condition's JSON Logic."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import datalogic_py

from madoguchi.catalog.model import FAR_FUTURE, Issue, Versioned
from madoguchi.rules import facts as F

from .yamlio import LineDict, load_text, plain

ENGINE = datalogic_py.Engine()
ITERATORS = ("some", "none", "all", "filter", "map")


class Collector:
    def __init__(self, root: Path):
        self.root = root
        self.issues: list[Issue] = []

    def add(self, file: str, line: int, message: str) -> None:
        self.issues.append(Issue(file, line, message))

    def read(self, rel: str, required: bool = True) -> Any:
        path = self.root / rel
        if not path.exists():
            if required:
                self.add(rel, 0, "ファイルがありません")
            return None
        try:
            data = load_text(path.read_text(encoding="utf-8"))
        except Exception as exc:  # yaml.YAMLError and decoding errors
            mark = getattr(exc, "problem_mark", None)
            self.add(rel, mark.line + 1 if mark else 0, f"YAML として読めません: {exc}")
            return None
        self._duplicates(rel, data)
        return data

    def _duplicates(self, rel: str, data: Any) -> None:
        if isinstance(data, LineDict):
            for key, line in data.duplicates:
                self.add(rel, line, f"項目 {key!r} が同じ場所に2回書かれています")
            for v in data.values():
                self._duplicates(rel, v)
        elif isinstance(data, list):
            for v in data:
                self._duplicates(rel, v)

    def keys(self, rel: str, item: Any, allowed: set, required: set, what: str) -> bool:
        if not isinstance(item, dict):
            self.add(rel, getattr(item, "line", 0), f"{what} は「項目: 値」の形で書いてください")
            return False
        if isinstance(item.get("id"), str) and item["id"] not in what:
            what = f"{what} {item['id']}"
        for key in item:
            if key not in allowed:
                self.add(
                    rel,
                    item.line_of(key),
                    f"{what} に不明な項目 {key!r} があります（使える項目: {', '.join(sorted(allowed))}）",
                )
        ok = True
        for key in sorted(required):
            if item.get(key) in (None, ""):
                self.add(rel, item.line, f"{what} に {key} がありません")
                ok = False
        return ok

    def items(self, rel: str, data: Any, key: str) -> list:
        if data is None:
            return []
        if not isinstance(data, dict) or not isinstance(data.get(key), list):
            self.add(rel, getattr(data, "line", 1), f"最上位に {key}: の一覧が必要です")
            return []
        extra = set(data) - {key}
        for k in extra:
            self.add(rel, data.line_of(k), f"不明な項目 {k!r} があります")
        return data[key]

    def date(self, rel: str, item: dict, key: str) -> date | None:
        value = item.get(key)
        if value is None:
            return None
        if type(value) is not date:
            self.add(rel, item.line_of(key), f"{key} は YYYY-MM-DD の日付です: {value!r}")
            return None
        return value

    def en(self, rel: str, item: dict, allowed: set) -> dict:
        en = item.get("en") or {}
        if not isinstance(en, dict):
            self.add(rel, item.line_of("en"), "en: は英語訳の「項目: 値」です")
            return {}
        for key in en:
            if key not in allowed:
                self.add(rel, en.line_of(key), f"en: に不明な項目 {key!r} があります")
        return plain(en)


def versioned(c: Collector, rel: str, item: dict, what: str) -> tuple[date, date | None]:
    vf = c.date(rel, item, "valid_from") or date.min
    vt = c.date(rel, item, "valid_to")
    if vt is not None and vt < vf:
        c.add(rel, item.line_of("valid_to"), f"{what}: valid_to が valid_from より前です")
    return vf, vt


def check_versions(c: Collector, what: str, groups: dict[str, list[Versioned]]) -> None:
    for vid, versions in groups.items():
        versions.sort(key=lambda v: v.valid_from)
        for prev, nxt in zip(versions, versions[1:], strict=False):
            end = prev.valid_to or FAR_FUTURE
            if end >= nxt.valid_from:
                c.add(
                    nxt.file,
                    nxt.line,
                    f"{what} {vid} の版の期間が重なっています（{prev.file}:{prev.line} の版は "
                    f"{prev.valid_to or '期限なし'} まで、この版は {nxt.valid_from} から）",
                )
            elif end + timedelta(days=1) != nxt.valid_from:
                c.add(
                    nxt.file,
                    nxt.line,
                    f"{what} {vid} の版の間に空白期間があります（{end} の翌日から "
                    f"{nxt.valid_from} の前日まで）",
                )


def _walk_vars(logic: Any, scope: str, out: list[tuple[str, str]]) -> None:
    """Collect (scope, var path) pairs; scope 'top', 'person_item' or 'reduce'."""
    if isinstance(logic, list):
        for x in logic:
            _walk_vars(x, scope, out)
        return
    if not isinstance(logic, dict):
        return
    for op, args in logic.items():
        if op == "var":
            path = args[0] if isinstance(args, list) and args else args
            out.append((scope, path if isinstance(path, str) else ""))
            if isinstance(args, list):
                _walk_vars(args[1:], scope, out)
        elif op in ITERATORS and isinstance(args, list) and len(args) == 2:
            _walk_vars(args[0], scope, out)
            _walk_vars(args[1], "person_item", out)
        elif op == "reduce" and isinstance(args, list) and len(args) == 3:
            _walk_vars(args[0], scope, out)
            _walk_vars(args[1], "reduce", out)
            _walk_vars(args[2], scope, out)
        else:
            _walk_vars(args, scope, out)


def analyse_logic(logic: Any) -> tuple[list[str], frozenset, str]:
    """Return (problems, person facts read, scope) of a condition's JSON Logic."""
    problems: list[str] = []
    try:
        diags = ENGINE.check(logic)
    except Exception as exc:  # noqa: BLE001 - the engine's own parse error
        return [f"JSON Logic として読めません: {exc}"], frozenset(), "person"
    for dg in diags:
        if dg["severity"] == "error":
            problems.append(f"JSON Logic の誤り（{dg['pointer'] or '/'}）: {dg['message']}")
    refs: list[tuple[str, str]] = []
    _walk_vars(logic, "top", refs)
    reads: set[str] = set()
    scope = "event"
    for where, path in refs:
        head, _, rest = path.partition(".")
        if where == "person_item":
            name = path
            if name not in F.PERSON_FACTS:
                problems.append(f"人の事実 {name!r} は定義されていません")
            else:
                reads.add(name)
        elif where == "reduce":
            if head not in ("accumulator", "current"):
                problems.append(f"reduce の中では accumulator と current だけが使えます: {path!r}")
        elif head == "person":
            scope = "person"
            if rest not in F.PERSON_FACTS:
                problems.append(f"人の事実・フラグ {rest!r} は定義されていません")
            else:
                reads.add(rest)
        elif head == "event":
            if rest not in F.EVENT_FACTS:
                problems.append(f"届出の事実 {rest!r} は定義されていません")
            else:
                reads.add(path)
        elif path == "persons":
            pass
        else:
            problems.append(f"変数 {path!r} は使えません（person.…, event.…, persons のいずれか）")
    return problems, frozenset(reads), scope
