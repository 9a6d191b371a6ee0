"""The per-file loaders of a catalog folder: each reads one file (or the forms or the
procedures folder) through the collector, which records every problem with file and
line, and returns what it could build; the cross-file checks follow."""

from __future__ import annotations

from typing import Any

from madoguchi.catalog.forms import MEMBER_SOURCES, check_fields
from madoguchi.catalog.model import (
    AGE_PARAMETERS,
    DEADLINE_COUNTING,
    FAR_FUTURE,
    QUESTION_PERSONS,
    AdvanceWindow,
    Condition,
    Department,
    Event,
    Parameter,
    Procedure,
    Question,
    Trigger,
)
from madoguchi.catalog.validation import Collector, check_versions, versioned
from madoguchi.catalog.yamlio import LineList, plain
from madoguchi.rules import facts as F
from madoguchi.rules.deadlines import DEADLINE_STARTS
from madoguchi.rules.logic import ENGINE, analyse_logic


def read_meta(c: Collector, files: dict[str, Any]) -> dict:
    """catalog.yaml: the municipality's id, name and code, and what its forms print: the
    prefecture, the mayor's title (the addressee), the 後期高齢者医療広域連合, and ``demo``
    (every printed page carries 「見本」)."""
    meta = c.read("catalog.yaml")
    files["catalog.yaml"] = meta
    if meta is not None:
        c.keys(
            "catalog.yaml",
            meta,
            {"municipality", "name", "code", "prefecture", "mayor", "elderly_union", "demo", "en"},
            {"municipality", "name"},
            "catalog.yaml",
        )
        if isinstance(meta, dict) and "demo" in meta and type(meta["demo"]) is not bool:
            c.add("catalog.yaml", meta.line_of("demo"), "demo は true か false です")
    meta = meta if isinstance(meta, dict) else {}
    return meta


def read_departments(c: Collector, files: dict[str, Any]) -> dict[str, Department]:
    departments: dict[str, Department] = {}
    rel = "departments.yaml"
    files[rel] = data = c.read(rel)
    for item in c.items(rel, data, "departments"):
        if not c.keys(
            rel, item, {"id", "name", "place", "handles", "en"}, {"id", "name", "place"}, "課"
        ):
            continue
        if item["id"] in departments:
            c.add(rel, item.line, f"課 {item['id']} が2回定義されています")
        departments[item["id"]] = Department(
            item["id"],
            item["name"],
            item["place"],
            item.get("handles", ""),
            c.en(rel, item, {"name", "place"}),
            item,
        )
    return departments


def read_events(c: Collector, files: dict[str, Any]) -> dict[str, Event]:
    events: dict[str, Event] = {}
    rel = "events.yaml"
    files[rel] = data = c.read(rel)
    for item in c.items(rel, data, "events"):
        if not c.keys(
            rel, item, {"id", "name", "en", "advance_window_days"}, {"id", "name"}, "届出"
        ):
            continue
        if item["id"] not in F.EVENTS:
            c.add(
                rel, item.line, f"届出 {item['id']!r} は定義されていません（{', '.join(F.EVENTS)}）"
            )
        events[item["id"]] = Event(
            item["id"],
            item["name"],
            c.en(rel, item, {"name"}),
            item,
            _advance_windows(c, rel, item),
        )
    check_versions(
        c, "届出の受付期間", {e.id: e.advance_windows for e in events.values() if e.advance_windows}
    )
    return events


#: the longest advance window a catalog may give (a year: beyond it a typo, not a rule)
MAX_ADVANCE_WINDOW_DAYS = 366


def _advance_windows(c: Collector, rel: str, item: dict) -> list[AdvanceWindow]:
    """``advance_window_days``: the dated versions of how many days before the event its
    notification is accepted (``[{days: 14, valid_from: 2016-01-01}, …]``)."""
    raw = item.get("advance_window_days")
    if raw is None:
        return []
    what = f"届出 {item['id']} の advance_window_days"
    if not isinstance(raw, list) or not raw:
        c.add(
            rel, item.line_of("advance_window_days"), f"{what} は版の一覧です（days, valid_from）"
        )
        return []
    out = []
    for v in raw:
        if not c.keys(rel, v, {"days", "valid_from", "valid_to"}, {"valid_from"}, what):
            continue
        days = v.get("days")
        if type(days) is not int or not 0 <= days <= MAX_ADVANCE_WINDOW_DAYS:
            c.add(
                rel,
                v.line_of("days") if "days" in v else v.line,
                f"{what}: days は 0〜{MAX_ADVANCE_WINDOW_DAYS} の整数（日数）です: {days!r}",
            )
            continue
        if item["id"] in F.AFTER_THE_FACT_EVENTS and days:
            c.add(
                rel,
                v.line_of("days"),
                f"{what}: {item['id']} は起きた後にしか届け出られません（days は 0 です）",
            )
            continue
        vf, vt = versioned(c, rel, v, what)
        out.append(AdvanceWindow(item["id"], vf, vt, rel, v.line, days))
    return out


def read_parameters(c: Collector, files: dict[str, Any]) -> dict[str, list[Parameter]]:
    parameters: dict[str, list[Parameter]] = {}
    rel = "parameters.yaml"
    files[rel] = data = c.read(rel)
    for item in c.items(rel, data, "parameters"):
        if not c.keys(
            rel,
            item,
            {"id", "label", "value", "valid_from", "valid_to"},
            {"id", "value", "valid_from"},
            "パラメータ",
        ):
            continue
        vf, vt = versioned(c, rel, item, item["id"])
        parameters.setdefault(item["id"], []).append(
            Parameter(
                item["id"], vf, vt, rel, item.line, item["value"], item.get("label", ""), item
            )
        )
    for pid, what in AGE_PARAMETERS.items():
        if pid not in parameters:
            c.add(rel, 1, f"パラメータ {pid} がありません（{what}）")
    for pid, versions in parameters.items():
        if pid in AGE_PARAMETERS:
            for v in versions:
                if type(v.value) is not int or not 0 < v.value < 30:
                    c.add(rel, v.line, f"{pid} は年齢（整数）です: {v.value!r}")
    return parameters


def read_rules(
    c: Collector, files: dict[str, Any]
) -> tuple[dict[str, list[Condition]], list[dict]]:
    """rules.yaml: the conditions (JSON Logic, checked and compiled) and the exclusions."""
    conditions: dict[str, list[Condition]] = {}
    rel = "rules.yaml"
    files[rel] = data = c.read(rel)
    exclusions: list[dict] = []
    if isinstance(data, dict):
        for k in data:
            if k not in ("conditions", "exclusions"):
                c.add(rel, data.line_of(k), f"不明な項目 {k!r} があります")
        for item in data.get("conditions") or []:
            if not c.keys(
                rel,
                item,
                {"id", "label", "label_no", "logic", "valid_from", "valid_to"},
                {"id", "label", "label_no", "logic", "valid_from"},
                "条件",
            ):
                continue
            vf, vt = versioned(c, rel, item, item["id"])
            logic = plain(item["logic"])
            if not isinstance(logic, dict):
                c.add(
                    rel,
                    item.line_of("logic"),
                    f"条件 {item['id']}: logic は JSON Logic の式（{{演算子: [...]}}）です: {logic!r}",
                )
                problems, reads, scope, broken = [], frozenset(), "person", True
            else:
                problems, reads, scope = analyse_logic(logic)
                broken = bool(problems)
            for msg in problems:
                c.add(rel, item.line_of("logic"), f"条件 {item['id']}: {msg}")
            rule = None if broken else ENGINE.compile(logic)
            conditions.setdefault(item["id"], []).append(
                Condition(
                    item["id"],
                    vf,
                    vt,
                    rel,
                    item.line,
                    item["label"],
                    item["label_no"],
                    logic,
                    rule,
                    scope,
                    reads,
                    item,
                )
            )
        for item in data.get("exclusions") or []:
            if c.keys(
                rel,
                item,
                {"procedure", "when_person_also_gets", "note"},
                {"procedure", "when_person_also_gets"},
                "二重計上の除外",
            ):
                exclusions.append(item)
    elif data is not None:
        c.add(rel, 1, "rules.yaml は conditions: と exclusions: を持つ「項目: 値」です")
    return conditions, exclusions


def read_forms(c: Collector) -> tuple[dict[str, dict], dict[str, Any]]:
    """forms/*/form.yaml as opaque metadata (owned by madoguchi.documents), and each form's
    procedures list with its line numbers."""
    root = c.root
    forms: dict[str, dict] = {}
    form_procs: dict[str, Any] = {}  # form id -> its procedures list, with line numbers
    forms_dir = root / "forms"
    if forms_dir.is_dir():
        for form_yaml in sorted(forms_dir.glob("*/form.yaml")):
            frel = str(form_yaml.relative_to(root))
            fdata = c.read(frel)
            if isinstance(fdata, dict):
                meta_form = plain(fdata)
                meta_form["path"] = str(form_yaml)
                forms[form_yaml.parent.name] = meta_form
                form_procs[form_yaml.parent.name] = fdata.get("procedures")
                _check_bindings(c, frel, fdata)
        lib = forms_dir / "_lib" / "fields.yaml"
        if lib.exists():
            lrel = str(lib.relative_to(root))
            ldata = c.read(lrel)
            if isinstance(ldata, dict):
                for name, fields in ldata.items():
                    check_fields(fields, lambda line, msg, n=name: c.add(lrel, line, f"{n}: {msg}"))
    return forms, form_procs


def _check_bindings(c: Collector, rel: str, data: dict) -> None:
    """The form's own fields and its member rows bind only paths of the vocabulary."""
    check_fields(data.get("fields"), lambda line, msg: c.add(rel, line, msg))
    members = data.get("members")
    if isinstance(members, dict):
        source = members.get("from", "persons")
        if source not in MEMBER_SOURCES:
            c.add(
                rel,
                members.line_of("from"),
                f"members.from は {', '.join(MEMBER_SOURCES)} のいずれかです",
            )
        check_fields(members.get("fields"), lambda line, msg: c.add(rel, line, f"members.{msg}"))


ALLOWED_PROCEDURE_KEYS = {
    "id",
    "name",
    "department",
    "scope",
    "forms",
    "no_form",
    "bring",
    "deadline",
    "legal_basis",
    "counter_completion",
    "valid_from",
    "valid_to",
    "triggers",
    "en",
    "applies_outside",
}


def read_procedures(
    c: Collector,
    files: dict[str, Any],
    departments: dict[str, Department],
    forms: dict[str, dict],
    conditions: dict[str, list[Condition]],
) -> dict[str, list[Procedure]]:
    """procedures/*.yaml, in the order of the departments."""
    root = c.root
    procedures: dict[str, list[Procedure]] = {}
    proc_files = sorted((root / "procedures").glob("*.yaml"))
    order = {d: i for i, d in enumerate(departments)}
    proc_files.sort(key=lambda p: (order.get(p.stem, len(order)), p.stem))
    if not proc_files:
        c.add("procedures/", 0, "手続のファイル（procedures/*.yaml）がありません")
    for pf in proc_files:
        rel = f"procedures/{pf.name}"
        files[rel] = data = c.read(rel)
        for item in c.items(rel, data, "procedures"):
            if not c.keys(
                rel,
                item,
                ALLOWED_PROCEDURE_KEYS,
                {"id", "name", "department", "scope", "valid_from", "triggers"},
                "手続",
            ):
                continue
            proc = _procedure(c, rel, item, departments, forms, conditions)
            procedures.setdefault(proc.id, []).append(proc)
    return procedures


def _procedure(
    c: Collector,
    rel: str,
    item: dict,
    departments: dict[str, Department],
    forms: dict[str, dict],
    conditions: dict[str, list[Condition]],
) -> Procedure:
    pid = item["id"]
    what = f"手続 {pid}"
    if item["department"] not in departments:
        c.add(
            rel,
            item.line_of("department"),
            f"{what}: 課 {item['department']!r} は departments.yaml にありません",
        )
    if item["scope"] not in ("person", "household"):
        c.add(
            rel,
            item.line_of("scope"),
            f"{what}: scope は person（人ごと）か household（世帯）です",
        )
    forms_list = item.get("forms") or []
    no_form = item.get("no_form")
    if forms_list and no_form:
        c.add(rel, item.line_of("no_form"), f"{what}: forms と no_form の両方は書けません")
    if not forms_list and not (isinstance(no_form, str) and no_form.strip()):
        c.add(
            rel,
            item.line,
            f"{what}: forms（様式の一覧）か no_form（様式がない理由）が必要です",
        )
    for j, fid in enumerate(forms_list):
        if fid not in forms:
            c.add(
                rel,
                forms_list.line_of(j) if isinstance(forms_list, LineList) else item.line,
                f"{what}: 様式 {fid!r} がありません（forms/{fid}/form.yaml）",
            )
    bring = item.get("bring") or []
    if not isinstance(bring, list) or not all(isinstance(b, str) for b in bring):
        c.add(rel, item.line_of("bring"), f"{what}: bring は持ち物の文字列の一覧です")
        bring = []
    deadline = item.get("deadline") or {}
    _check_deadline(c, rel, deadline, what)
    proc_en = c.en(rel, item, {"name", "bring", "no_form"})
    en_bring = proc_en.get("bring")
    if en_bring is not None and (not isinstance(en_bring, list) or len(en_bring) != len(bring)):
        c.add(
            rel,
            item.line_of("en"),
            f"{what}: en: の bring は bring と同じ数（{len(bring)} 件）の訳です",
        )
    if proc_en.get("no_form") and not no_form:
        c.add(rel, item.line_of("en"), f"{what}: en: の no_form は no_form の訳です")
    vf, vt = versioned(c, rel, item, pid)
    triggers = _triggers(c, rel, item, what, conditions)
    return Procedure(
        pid,
        vf,
        vt,
        rel,
        item.line,
        item["name"],
        item["department"],
        item["scope"],
        list(forms_list),
        no_form,
        list(bring),
        plain(deadline),
        item.get("legal_basis", ""),
        triggers,
        proc_en,
        item,
        applies_outside=_flag(c, rel, item, "applies_outside", what),
        counter_completion=_flag(c, rel, item, "counter_completion", what, "（窓口で完了できる）"),
    )


def _flag(c: Collector, rel: str, item: dict, key: str, what: str, meaning: str = "") -> bool:
    """A true/false key of a procedure (false when absent); anything else is an error."""
    value = item.get(key, False)
    if type(value) is not bool:
        c.add(rel, item.line_of(key), f"{what}: {key} は true{meaning} か false です")
        return False
    return value


def _check_deadline(c: Collector, rel: str, deadline: Any, what: str) -> None:
    """A deadline: days (integer, negative = before) or months (positive integer), counting,
    from (an event detail date), text."""
    if not deadline:
        return
    if not c.keys(
        rel,
        deadline,
        {"days", "months", "counting", "from", "text", "en"},
        {"text"},
        f"{what} の deadline",
    ):
        return
    days, months = deadline.get("days"), deadline.get("months")
    if days is not None and type(days) is not int:
        c.add(rel, deadline.line_of("days"), f"{what}: days は日数（整数）です")
    if months is not None and (type(months) is not int or months <= 0):
        c.add(rel, deadline.line_of("months"), f"{what}: months は月数（正の整数）です")
    if days is not None and months is not None:
        c.add(rel, deadline.line_of("months"), f"{what}: days と months の両方は書けません")
    if deadline.get("counting", "after_event") not in DEADLINE_COUNTING:
        c.add(
            rel,
            deadline.line_of("counting"),
            f"{what}: counting は {' か '.join(DEADLINE_COUNTING)} です",
        )
    if "from" in deadline and deadline["from"] not in DEADLINE_STARTS:
        c.add(
            rel,
            deadline.line_of("from"),
            f"{what}: from は {' か '.join(DEADLINE_STARTS)} です（届出の日付）",
        )
    c.en(rel, deadline, {"text"})


def _triggers(
    c: Collector, rel: str, item: dict, what: str, conditions: dict[str, list[Condition]]
) -> list[Trigger]:
    triggers = []
    trig_list = item.get("triggers")
    if not isinstance(trig_list, list) or not trig_list:
        c.add(
            rel,
            item.line_of("triggers"),
            f"{what}: triggers（どの届出で・どんな条件で）が必要です",
        )
        trig_list = []
    for t in trig_list:
        if not c.keys(
            rel,
            t,
            {"events", "when", "name", "en", "deadline"},
            {"events", "when"},
            f"{what} の trigger",
        ):
            continue
        t_deadline = t.get("deadline") or {}
        _check_deadline(c, rel, t_deadline, f"{what} の trigger")
        evs = t["events"]
        if evs == "all":
            evs = ()
        elif not isinstance(evs, list):
            c.add(rel, t.line_of("events"), f"{what}: events は届出の一覧か all です")
            evs = ()
        for e in evs:
            if e not in F.EVENTS:
                c.add(rel, t.line_of("events"), f"{what}: 届出 {e!r} は定義されていません")
        when = []
        wl = t["when"] if isinstance(t["when"], list) else []
        if not wl:
            c.add(rel, t.line_of("when"), f"{what}: when は条件の一覧です")
        for j, cond in enumerate(wl):
            line = wl.line_of(j) if isinstance(wl, LineList) else t.line
            neg = isinstance(cond, str) and cond.startswith("not ")
            cid = cond[4:].strip() if neg else cond
            if not isinstance(cid, str) or cid not in conditions:
                c.add(rel, line, f"{what}: 条件 {cond!r} は rules.yaml にありません")
                continue
            if item["scope"] == "household" and any(v.scope == "person" for v in conditions[cid]):
                c.add(rel, line, f"{what}: 世帯単位の手続に人ごとの条件 {cid} は使えません")
            when.append((cid, neg))
        en_t = c.en(rel, t, {"name"})
        triggers.append(
            Trigger(tuple(evs), tuple(when), t.get("name"), en_t.get("name"), plain(t_deadline))
        )
    return triggers


def check_form_procedures(
    c: Collector,
    forms: dict[str, dict],
    form_procs: dict[str, Any],
    procedures: dict[str, list[Procedure]],
) -> None:
    """Every procedure a form lists exists."""
    for fid, fmeta in forms.items():
        listed = form_procs.get(fid)
        for j, pid in enumerate(fmeta.get("procedures") or []):
            if pid not in procedures:
                c.add(
                    f"forms/{fid}/form.yaml",
                    listed.line_of(j) if isinstance(listed, LineList) else 1,
                    f"様式 {fid} の procedures[{j}]: 手続 {pid!r} はカタログにありません",
                )


def check_exclusions(
    c: Collector, exclusions: list[dict], procedures: dict[str, list[Procedure]]
) -> None:
    """Both procedures of every exclusion exist."""
    for j, item in enumerate(exclusions):
        for key in ("procedure", "when_person_also_gets"):
            if item[key] not in procedures:
                c.add(
                    "rules.yaml",
                    item.line_of(key),
                    f"二重計上の除外 {j + 1}: 手続 {item[key]!r} はカタログにありません",
                )


def read_questions(c: Collector, files: dict[str, Any]) -> list[Question]:
    questions: list[Question] = []
    rel = "questions.yaml"
    files[rel] = data = c.read(rel)
    for item in c.items(rel, data, "questions"):
        if not c.keys(
            rel,
            item,
            {"id", "events", "asks", "persons", "text", "en"},
            {"id", "events", "asks", "persons", "text"},
            "質問",
        ):
            continue
        evs = item["events"] if item["events"] != "all" else list(F.EVENTS)
        for e in evs if isinstance(evs, list) else [evs]:
            if e not in F.EVENTS:
                c.add(
                    rel,
                    item.line_of("events"),
                    f"質問 {item['id']}: 届出 {e!r} は定義されていません",
                )
        asks = item["asks"]
        if item["persons"] not in QUESTION_PERSONS:
            c.add(
                rel,
                item.line_of("persons"),
                f"質問 {item['id']}: persons は {' | '.join(QUESTION_PERSONS)} のいずれかです",
            )
        if isinstance(asks, str) and asks.startswith("event."):
            known = asks[6:] in F.EVENT_FACTS
        else:
            known = asks in F.FLAGS or asks in (
                "health_insurance",
                "health_insurance_before",
                "pension",
                "pension_before",
                "moving",
            )
        if not known:
            c.add(
                rel,
                item.line_of("asks"),
                f"質問 {item['id']}: 既知の事実・フラグを設定しません（asks: {asks!r}）",
            )
        questions.append(
            Question(
                item["id"],
                tuple(evs),
                asks,
                item["persons"],
                item["text"],
                c.en(rel, item, {"text"}),
                item,
            )
        )
    return questions


def check_condition_periods(
    c: Collector,
    procedures: dict[str, list[Procedure]],
    conditions: dict[str, list[Condition]],
) -> None:
    """The conditions a procedure's triggers use are in force for the whole procedure."""
    for versions in procedures.values():
        for p in versions:
            for t in p.triggers:
                for cid, _neg in t.when:
                    cvs = conditions.get(cid, [])
                    start = min(v.valid_from for v in cvs)
                    end = max((v.valid_to or FAR_FUTURE) for v in cvs)
                    if start > p.valid_from or end < (p.valid_to or FAR_FUTURE):
                        c.add(
                            p.file,
                            p.line,
                            f"手続 {p.id}（{p.valid_from} から）: 条件 {cid} の有効期間"
                            f"（{start} 〜 {end}）が手続の有効期間を覆っていません",
                        )
