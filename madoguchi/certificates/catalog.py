"""The certificate catalog of a municipality (``<catalog>/certificates.yaml``).

Kinds, the items a requester may include or omit, the fee table of the fee ordinance,
who may ask for each kind and which requesters may ask about a person under 支援措置.
Strictly validated: every error names the file and line. Templates (Typst) and the 公印
image live beside it in ``<catalog>/certificates/``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from madoguchi.catalog.yamlio import load_text

FILE = "certificates.yaml"
SCOPES = ("household", "persons", "removed", "seal", "moving_out", "fuhyo")
REQUESTERS = ("self", "household", "kin", "agent", "third_party", "official", "card")
ASKS = (
    "requester_atena_no",
    "requester_name",
    "requester_address",
    "proxy_dated_on",
    "purpose",
    "legal_basis",
    "seal_card_no",
)
# Never an item: madoguchi holds no 個人番号 (and no item may print one).
FORBIDDEN_ITEMS = ("my_number", "kojin_bango", "individual_number")


def _english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("en")


class CertificateCatalogError(ValueError):
    def __init__(self, errors: list[str], problems: list[tuple[int, str]] | None = None):
        super().__init__("\n".join(errors))
        self.errors = errors
        self.problems = problems if problems is not None else [(0, e) for e in errors]


def check(root: Path) -> list[tuple[int, str]]:
    """The problems of ``root/certificates.yaml`` as (line, message): ``catalog check``
    reports them with the rest of the catalog (``catalog.extensions``)."""
    try:
        parse(root)
    except CertificateCatalogError as exc:
        return exc.problems
    return []


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    en: str = ""
    japanese_only: bool = False
    foreign_only: bool = False

    @property
    def label(self) -> str:
        """The name in the UI language (the catalog's ``en:`` when English)."""
        return self.en if self.en and _english() else self.name


@dataclass(frozen=True)
class Requester:
    id: str
    name: str
    basis: str
    asks: tuple[str, ...] = ()
    forbid_items: tuple[str, ...] = ()
    fee_exempt: bool = False


@dataclass(frozen=True)
class Kind:
    id: str
    name: str
    en: str
    scope: str
    basis: str
    items: tuple[str, ...]
    default_items: tuple[str, ...]
    requesters: tuple[str, ...]
    fee: int
    title: str
    certify: str
    offered: bool = True
    # The basis per requester where this kind's law differs (附票: 住基法20条).
    requester_basis: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The name in the UI language (the catalog's ``en:`` when English)."""
        return self.en if self.en and _english() else self.name


@dataclass
class CertificateCatalog:
    root: Path
    mayor: str
    seal_image: Path | None
    sample: bool
    proxy_valid_days: int
    max_copies: int
    fee_ordinance: str
    items: dict[str, Item] = field(default_factory=dict)
    requesters: dict[str, Requester] = field(default_factory=dict)
    kinds: dict[str, Kind] = field(default_factory=dict)
    protected_allowed: tuple[str, ...] = ()
    # 戸籍の附票: kept by this city for the 戸籍 whose 本籍 is here (the prefixes of 本籍).
    fuhyo_kept: bool = False
    fuhyo_honseki: tuple[str, ...] = ()

    @property
    def templates(self) -> Path:
        return self.root / "certificates"

    def offered(self) -> list[Kind]:
        return [k for k in self.kinds.values() if k.offered]

    def keeps_fuhyo_of(self, honseki: str) -> bool:
        """Whether this city keeps the 附票 of a 戸籍 with this 本籍 (本籍 here)."""
        honseki = (honseki or "").strip()
        return self.fuhyo_kept and any(honseki.startswith(p) for p in self.fuhyo_honseki)

    def kind_label(self, kind_id: str, fallback: str = "") -> str:
        kind = self.kinds.get(kind_id)
        return kind.label if kind else (fallback or kind_id)


def _str_list(value) -> list:
    return list(value) if isinstance(value, list) else []


def parse(root: Path) -> CertificateCatalog:
    """Read and check ``root/certificates.yaml``; raise CertificateCatalogError listing
    every problem as ``certificates.yaml:LINE: message``."""
    path = root / FILE
    try:
        data = load_text(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CertificateCatalogError([f"{FILE}: ファイルがありません（{path}）"]) from None
    except yaml.YAMLError as exc:
        raise CertificateCatalogError([f"{FILE}: YAML の誤り: {exc}"]) from None
    errors: list[str] = []
    problems: list[tuple[int, str]] = []

    def err(line: int, msg: str) -> None:
        errors.append(f"{FILE}:{line}: {msg}")
        problems.append((line, msg))

    if not isinstance(data, dict):
        raise CertificateCatalogError(
            [f"{FILE}:1: 「項目: 値」の形で書いてください"],
            [(1, "「項目: 値」の形で書いてください")],
        )
    for key in ("mayor", "fee_ordinance", "fees", "items", "requesters", "kinds", "protected"):
        if key not in data:
            err(data.line, f"{key}: がありません")
    if errors:
        raise CertificateCatalogError(errors, problems)

    seal_image = None
    if data.get("seal_image"):
        seal_image = root / "certificates" / str(data["seal_image"])
        if not seal_image.is_file():
            err(data.line_of("seal_image"), f"公印の画像 {data['seal_image']!r} がありません")
    cat = CertificateCatalog(
        root=root,
        mayor=str(data["mayor"]),
        seal_image=seal_image,
        sample=bool(data.get("sample", False)),
        proxy_valid_days=int(data.get("proxy_valid_days", 90)),
        max_copies=int(data.get("max_copies", 20)),
        fee_ordinance=str(data["fee_ordinance"]),
    )
    for i, raw in enumerate(_str_list(data["items"])):
        line = data["items"].line_of(i)
        if not isinstance(raw, dict) or not raw.get("id") or not raw.get("name"):
            err(line, "記載事項には id と name が必要です")
            continue
        if any(bad in str(raw["id"]).lower() for bad in FORBIDDEN_ITEMS) or "個人番号" in str(
            raw["name"]
        ):
            err(line, f"記載事項 {raw['id']!r}: 個人番号は記載事項にできません")
            continue
        cat.items[raw["id"]] = Item(
            id=str(raw["id"]),
            name=str(raw["name"]),
            en=str(raw.get("en", "")),
            japanese_only=bool(raw.get("japanese_only")),
            foreign_only=bool(raw.get("foreign_only")),
        )
    reqs = data["requesters"] if isinstance(data["requesters"], dict) else {}
    for rid, raw in reqs.items():
        line = reqs.line_of(rid)
        if rid not in REQUESTERS:
            err(line, f"請求者の区分 {rid!r} は使えません（{', '.join(REQUESTERS)}）")
            continue
        if not isinstance(raw, dict) or not raw.get("name") or not raw.get("basis"):
            err(line, f"請求者 {rid}: name と basis が必要です")
            continue
        for a in _str_list(raw.get("asks")):
            if a not in ASKS:
                err(line, f"請求者 {rid}: asks の {a!r} は使えません（{', '.join(ASKS)}）")
        for it in _str_list(raw.get("forbid_items")):
            if it not in cat.items:
                err(line, f"請求者 {rid}: forbid_items の {it!r} は items にありません")
        cat.requesters[rid] = Requester(
            id=rid,
            name=str(raw["name"]),
            basis=str(raw["basis"]),
            asks=tuple(_str_list(raw.get("asks"))),
            forbid_items=tuple(_str_list(raw.get("forbid_items"))),
            fee_exempt=bool(raw.get("fee_exempt")),
        )
    fees = data["fees"] if isinstance(data["fees"], dict) else {}
    for kid, amount in fees.items():
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            err(fees.line_of(kid), f"手数料 {kid}: 0 以上の整数（円）で書いてください")
    fuhyo = data.get("fuhyo")
    if fuhyo is not None:
        if not isinstance(fuhyo, dict):
            err(data.line_of("fuhyo"), "fuhyo: は kept と honseki_prefix を書いてください")
        else:
            cat.fuhyo_kept = bool(fuhyo.get("kept", False))
            cat.fuhyo_honseki = tuple(str(p) for p in _str_list(fuhyo.get("honseki_prefix")))
            if cat.fuhyo_kept and not cat.fuhyo_honseki:
                err(
                    data.line_of("fuhyo"),
                    "fuhyo.honseki_prefix: 附票を保持する本籍（例: 北海道北見市）がありません",
                )
    seen: set[str] = set()
    for i, raw in enumerate(_str_list(data["kinds"])):
        line = data["kinds"].line_of(i)
        if not isinstance(raw, dict) or not raw.get("id"):
            err(line, "証明書の種類には id が必要です")
            continue
        kid = str(raw["id"])
        what = f"種類 {kid}"
        if kid in seen:
            err(line, f"{what}: id が重複しています")
        seen.add(kid)
        for key in ("name", "scope", "basis", "title", "certify"):
            if not raw.get(key):
                err(line, f"{what}: {key} がありません")
        if raw.get("scope") not in SCOPES:
            err(line, f"{what}: scope は {', '.join(SCOPES)} のいずれかです")
        if kid not in fees:
            err(
                fees.line or line,
                f"{what}: 手数料表（fees:）にこの種類の手数料がありません"
                f"（{data['fee_ordinance']}）",
            )
        for key in ("items", "default_items"):
            for it in _str_list(raw.get(key)):
                if it not in cat.items:
                    err(line, f"{what}: {key} の {it!r} は items にありません")
        for it in _str_list(raw.get("default_items")):
            if it not in _str_list(raw.get("items")):
                err(line, f"{what}: default_items の {it!r} は items にありません")
        requesters = _str_list(raw.get("requesters"))
        if not requesters:
            err(line, f"{what}: requesters（請求できる者）がありません")
        for r in requesters:
            if r not in cat.requesters:
                err(line, f"{what}: 請求者 {r!r} は requesters: にありません")
        if raw.get("scope") == "fuhyo" and raw.get("offered", True) and not cat.fuhyo_kept:
            err(line, f"{what}: 附票を交付するには fuhyo: の kept: true と本籍の範囲が必要です")
        rbasis = raw.get("requester_basis") or {}
        if not isinstance(rbasis, dict) or any(r not in requesters for r in rbasis):
            err(line, f"{what}: requester_basis は requesters の区分ごとの根拠です")
            rbasis = {}
        if errors:
            continue
        cat.kinds[kid] = Kind(
            id=kid,
            name=str(raw["name"]),
            en=str(raw.get("en", "")),
            scope=str(raw["scope"]),
            basis=str(raw["basis"]),
            items=tuple(_str_list(raw.get("items"))),
            default_items=tuple(_str_list(raw.get("default_items"))),
            requesters=tuple(requesters),
            fee=int(fees[kid]),
            title=str(raw["title"]),
            certify=str(raw["certify"]),
            offered=bool(raw.get("offered", True)),
            requester_basis={str(r): str(b) for r, b in rbasis.items()},
        )
    prot = data["protected"] if isinstance(data["protected"], dict) else {}
    allowed = _str_list(prot.get("allowed"))
    for r in allowed:
        if r not in cat.requesters:
            err(
                data.line_of("protected"), f"protected.allowed の {r!r} は requesters: にありません"
            )
    cat.protected_allowed = tuple(allowed)
    if errors:
        raise CertificateCatalogError(errors, problems)
    return cat


@functools.lru_cache(maxsize=4)
def _cached(root: str, stamp: float) -> CertificateCatalog:
    return parse(Path(root))


def current() -> CertificateCatalog:
    """The certificate catalog of the published catalog version (the configured folder
    before the first publication; re-read when the file changes)."""
    from madoguchi.catalog.versions import current_dir

    root = current_dir()
    path = root / FILE
    stamp = path.stat().st_mtime if path.exists() else 0.0
    return _cached(str(root), stamp)
