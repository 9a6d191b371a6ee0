"""JSON Logic → readable Japanese, for the catalog browser and the documentation.

Generated from the rule itself (never hand-written per rule): variables are named by the
fact dictionary of :mod:`madoguchi.rules.facts`, values by ``VALUE_LABELS``.
"""

from __future__ import annotations

import re
from typing import Any

from .facts import EVENT_FACTS, PERSON_FACTS, VALUE_LABELS

COMPARE = {
    "==": "が {b}",
    "===": "が {b}",
    "!=": "が {b} でない",
    "!==": "が {b} でない",
    "<": "が {b} 未満",
    "<=": "が {b} 以下",
    ">": "が {b} を超える",
    ">=": "が {b} 以上",
}


def _var_name(path: str, item: bool) -> str:
    if item:
        return PERSON_FACTS.get(path, path)
    head, _, rest = path.partition(".")
    if head == "person":
        return PERSON_FACTS.get(rest, rest)
    if head == "event":
        return EVENT_FACTS.get(rest, rest)
    if path == "persons":
        return "世帯の人"
    if head in ("accumulator", "current"):
        return "数"
    return path


def _var_path(node: Any) -> str:
    if isinstance(node, dict) and "var" in node:
        v = node["var"]
        return str(v[0] if isinstance(v, list) else v)
    return ""


def _value(v: Any, of: str = "", names: dict | None = None) -> str:
    """A value as the explanation says it (``of``: the variable compared with it;
    ``names``: fact → {value: words}, the catalog's ``value_names``: a nationality is
    named from the country list, never given as its code)."""
    words = (names or {}).get(of.rpartition(".")[2])
    if words is not None and isinstance(v, str):
        return words.get(v, words.get("", v))
    if v is None:
        return "なし（記載なし）"
    if v is True:
        return "はい"
    if v is False:
        return "いいえ"
    if isinstance(v, str):
        return VALUE_LABELS.get(v, v)
    return f"{v:,}" if isinstance(v, int) else str(v)


def _is_count(node: Any) -> Any:
    """``reduce(filter(persons, X), accumulator + 1, 0)`` → X, else None."""
    if isinstance(node, dict) and "reduce" in node:
        args = node["reduce"]
        if (
            isinstance(args, list)
            and len(args) == 3
            and isinstance(args[0], dict)
            and "filter" in args[0]
            and args[2] == 0
        ):
            return args[0]["filter"][1]
    return None


def to_japanese(logic: Any, item: bool = False, names: dict | None = None) -> str:
    """One sentence fragment for a JSON Logic expression."""
    if not isinstance(logic, dict) or len(logic) != 1:
        return _value(logic, names=names)
    ((op, args),) = logic.items()
    if op == "var":
        path = args[0] if isinstance(args, list) else args
        return _var_name(str(path), item)
    if not isinstance(args, list):
        args = [args]
    if op in ("!", "!!") and args:
        inner = to_japanese(args[0], item, names)
        return f"「{inner}」でない" if op == "!" else inner
    if op in COMPARE and len(args) == 2:
        counted = _is_count(args[0])
        left = (
            f"「{to_japanese(counted, True, names)}」人の数"
            if counted is not None
            else to_japanese(args[0], item, names)
        )
        of = _var_path(args[0])
        right = args[1]
        b = to_japanese(right, item, names) if isinstance(right, dict) else _value(right, of, names)
        return f"{left} {COMPARE[op].format(b=b)}"
    if op == "and":
        return "、かつ ".join(to_japanese(a, item, names) for a in args)
    if op == "or":
        parts = [
            f"〔{to_japanese(a, item, names)}〕"
            if isinstance(a, dict) and "and" in a
            else to_japanese(a, item, names)
            for a in args
        ]
        return "（" + " または ".join(parts) + "）"
    if op in ("some", "none", "all") and len(args) == 2:
        inner = to_japanese(args[1], True, names)
        return {
            "some": f"世帯に「{inner}」人がいる",
            "none": f"世帯に「{inner}」人がいない",
            "all": f"世帯の全員が「{inner}」",
        }[op]
    if op == "in" and len(args) == 2:
        options = args[1] if isinstance(args[1], list) else [args[1]]
        of = _var_path(args[0])
        return f"{to_japanese(args[0], item, names)} が {'・'.join(_value(o, of, names) for o in options)} のいずれか"
    return f"{op}（" + "、".join(to_japanese(a, item, names) for a in args) + "）"


def readable_label(template: str) -> str:
    """A condition's label with its placeholders named in Japanese, for the browser:
    "満15歳以上（{age}歳）" → "満15歳以上（〈満年齢〉歳）"."""

    def name(m: re.Match) -> str:
        key = m.group(1)
        if key.startswith("event_"):
            return f"〈{EVENT_FACTS.get(key[6:], key)}〉"
        return f"〈{PERSON_FACTS.get(key, key)}〉"

    return re.sub(r"\{(\w+)\}", name, template)


def trigger_text(trigger, conditions: dict, names: dict | None = None) -> list[dict]:
    """The conditions of a trigger: label, negation and generated Japanese (``names``:
    the catalog's ``value_names``)."""
    out = []
    for cid, negated in trigger.when:
        cond = conditions.get(cid)
        if cond is None:
            continue
        text = to_japanese(cond.logic, names=names)
        out.append(
            {
                "id": cid,
                "negated": negated,
                "label": readable_label(cond.label_no if negated else cond.label),
                "logic_ja": f"「{text}」でない" if negated else text,
            }
        )
    return out
