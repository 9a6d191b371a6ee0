"""国籍・地域 typed before the list (``core.countries``) existed, mapped onto it: the
counter's data migration and its tests use this one function."""

from __future__ import annotations

import copy

from madoguchi.core import countries

UNLISTED = "国籍・地域が一覧にありません（要確認）"
MISMATCH = "国籍・地域のコードと名称が一致しません（要確認）"


def listed(data: dict) -> tuple[dict, bool]:
    """A visit person's data with the 国籍・地域 typed at the counter mapped onto the list:
    a listed code keeps its code and takes the list's name; an unlisted code whose typed
    name is in the list takes that entry; anything else is kept as typed and flagged
    要確認 (``sources["nationality"]``), as is a code whose typed name names another
    entry. Returns (data, changed)."""
    code = str(data.get("nationality") or "JP")
    if code == countries.JAPAN:
        return data, False
    out = copy.deepcopy(data)
    reg = out.setdefault("register", {})
    sources = out.setdefault("sources", {})
    typed = str(reg.get("nationality_name") or "").strip()
    by_code = countries.by_code(code)
    by_name = countries.resolve(typed) if typed else None
    entry = by_code or by_name
    if entry is None:
        sources["nationality"] = UNLISTED
    elif by_code and by_name and by_name.code != by_code.code:
        sources["nationality"] = MISMATCH
    else:
        out["nationality"] = entry.code
        reg["nationality_name"] = entry.name
        sources.pop("nationality", None)
    if not sources:
        out.pop("sources")
    return out, out != data
