"""Checking a catalog folder: the collector that records every problem with file and line,
and version periods (the analysis of a condition's JSON Logic is ``rules.logic``'s)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from madoguchi.catalog.model import FAR_FUTURE, Issue, Versioned

from .yamlio import LineDict, load_text, plain


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
