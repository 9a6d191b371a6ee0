"""The seal register (印鑑登録): synthetic impressions for the demo city, the import
through a mapping (like the resident register) and registrations at the counter."""

from __future__ import annotations

import csv
import io
import random
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import yaml
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.audit import services as audit

from .models import SealRegistration, SealStatus

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class SealError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def impression_svg(surname: str, seed: int = 0) -> bytes:
    """A synthetic 印影: the surname drawn vertically in a red circle (demo only)."""
    rng = random.Random(seed)
    chars = [c for c in surname if not c.isspace()][:3] or ["印"]
    size = 100
    step = 74 / len(chars)
    font = 60 if len(chars) == 1 else (38 if len(chars) == 2 else 27)
    texts = "".join(
        f'<text x="50" y="{13 + step * (i + 1) - (step - font) / 2 - 4:.1f}">{escape(c)}</text>'
        for i, c in enumerate(chars)
    )
    width = 4 + rng.random() * 1.5
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 100 100"><circle cx="50" cy="50" r="{45 - width / 2:.1f}" fill="none" '
        f'stroke="#c0392b" stroke-width="{width:.1f}"/><g font-family="IPAmjMincho" '
        f'font-size="{font}" fill="#c0392b" text-anchor="middle">{texts}</g></svg>'
    ).encode()


def detect_format(data: bytes) -> str:
    if data.startswith(PNG_MAGIC):
        return "png"
    head = data[:512].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in data[:2048]):
        return "svg"
    return ""


def generate_demo(limit: int = 0, seed: int = 1, municipality_code: str | None = None) -> int:
    """Register synthetic seals for the persons the register marks ``seal_registered``."""
    from madoguchi.register.models import Person, ResidentStatus

    qs = Person.objects.filter(status=ResidentStatus.RESIDENT).only(
        "atena_no", "municipality_code", "flags", "surname", "name", "became_resident_on"
    )
    if municipality_code:
        qs = qs.filter(municipality_code=municipality_code)
    have = set(SealRegistration.objects.values_list("atena_no", flat=True))
    rows = []
    n = SealRegistration.objects.count()
    for p in qs.order_by("atena_no").iterator(chunk_size=2000):
        if p.atena_no in have or "seal_registered" not in (p.flags or []):
            continue
        n += 1
        rows.append(
            SealRegistration(
                municipality_code=p.municipality_code,
                registration_no=f"{n:08d}",
                atena_no=p.atena_no,
                card_no=f"S{n:07d}",
                impression=impression_svg(p.surname or p.name.split("\u3000")[0], seed + n),
                impression_format="svg",
                registered_on=p.became_resident_on or date(2020, 4, 1),
                source="demo",
            )
        )
        if limit and len(rows) >= limit:
            break
    SealRegistration.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _mapping(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cols = (data or {}).get("columns") if isinstance(data, dict) else None
    need = ("registration_no", "atena_no", "status")
    if not isinstance(cols, dict) or any(k not in cols for k in need):
        raise SealError("mapping", f"columns: に {', '.join(need)} の列名が必要です")
    return data


def import_seals(csv_path: Path, mapping_path: Path, *, dry_run: bool = False, actor=None) -> int:
    """Import the seal register: one row per registration; the 印影 column names an
    image file (PNG or SVG) relative to the CSV. All or nothing: any bad row rejects
    the file, naming line and column."""
    from madoguchi.register.models import Person

    mapping = _mapping(mapping_path)
    cols = mapping["columns"]
    statuses = {str(k): v for k, v in (mapping.get("status_codes") or {}).items()}
    text = csv_path.read_bytes().decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    errors: list[str] = []
    for key, col in cols.items():
        if col not in (reader.fieldnames or []):
            errors.append(f"1: 列 {col!r}（{key}）がありません")
    if errors:
        raise SealError("file", "; ".join(errors))
    known = set(Person.objects.values_list("atena_no", flat=True))
    regs = []
    for line, row in enumerate(reader, start=2):
        reg_no = (row.get(cols["registration_no"]) or "").strip()
        atena = (row.get(cols["atena_no"]) or "").strip()
        raw_status = (row.get(cols["status"]) or "").strip()
        status = statuses.get(raw_status, raw_status)
        if not reg_no:
            errors.append(f"{line}: {cols['registration_no']}: 空です")
        if atena not in known:
            errors.append(f"{line}: {cols['atena_no']}: 宛名番号 {atena!r} は住民記録にありません")
        if status not in SealStatus.values:
            errors.append(f"{line}: {cols['status']}: 状態 {raw_status!r} は使えません")
        impression, fmt = b"", ""
        img_col = cols.get("impression")
        if img_col and (row.get(img_col) or "").strip():
            img = csv_path.parent / row[img_col].strip()
            if not img.is_file():
                errors.append(f"{line}: {img_col}: 印影の画像 {row[img_col]!r} がありません")
            else:
                impression = img.read_bytes()
                fmt = detect_format(impression)
                if not fmt:
                    errors.append(f"{line}: {img_col}: 印影は PNG か SVG にしてください")
        regs.append(
            SealRegistration(
                registration_no=reg_no,
                atena_no=atena,
                card_no=(row.get(cols.get("card_no", ""), "") or "").strip(),
                impression=impression,
                impression_format=fmt,
                status=status,
                source="import",
            )
        )
    if errors:
        raise SealError("file", "; ".join(errors[:20]))
    if dry_run:
        return len(regs)
    with transaction.atomic():
        for r in regs:
            SealRegistration.objects.filter(registration_no=r.registration_no).delete()
        SealRegistration.objects.bulk_create(regs)
        audit.record(actor, "certificates.seal.import", query=f"{len(regs)} rows")
    return len(regs)


def register_at_counter(
    actor, atena_no: str, impression: bytes, registration_no: str, card_no: str
) -> SealRegistration:
    """A new registration made at the counter: the 印影 scanned, the card number issued."""
    from madoguchi.register.models import Person

    fmt = detect_format(impression)
    if not fmt:
        raise SealError("impression", _("印影の画像は PNG か SVG にしてください"))
    person = Person.objects.filter(atena_no=atena_no).first()
    if person is None:
        raise SealError("atena_no", _("宛名番号 %(n)s の住民は見つかりません") % {"n": atena_no})
    if person.support_measure and not getattr(actor, "may_see_protected", False):
        raise SealError("atena_no", _("この住民の登録は権限のある職員が行ってください"))
    if not registration_no or not card_no:
        raise SealError("registration_no", _("印鑑登録番号と印鑑登録証番号を入力してください"))
    if SealRegistration.objects.filter(registration_no=registration_no).exists():
        raise SealError(
            "registration_no",
            _("印鑑登録番号 %(n)s はすでに使われています") % {"n": registration_no},
        )
    with transaction.atomic():
        if SealRegistration.objects.filter(atena_no=atena_no, status=SealStatus.ACTIVE).exists():
            raise SealError("atena_no", _("この住民はすでに印鑑登録をしています"))
        reg = SealRegistration.objects.create(
            registration_no=registration_no,
            atena_no=atena_no,
            card_no=card_no,
            impression=impression,
            impression_format=fmt,
            registered_on=timezone.localdate(),
            source="counter",
            registered_by=actor,
        )
        audit.record(actor, "certificates.seal.register", person_ids=[atena_no])
    return reg


def active_seal(atena_no: str) -> SealRegistration | None:
    """The person's active registration with an impression (else None: no 印鑑登録証明書)."""
    return (
        SealRegistration.objects.filter(atena_no=atena_no, status=SealStatus.ACTIVE)
        .exclude(impression_format="")
        .order_by("-id")
        .first()
    )
