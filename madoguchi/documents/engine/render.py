"""Typst: the warm compiler that turns the bundle's JSON into a PDF."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import typst

from madoguchi.documents.engine.fonts import FONT_DIR
from madoguchi.documents.engine.formats import DocumentError


class Renderer:
    """One warm Typst compiler per catalog: fonts are loaded once, compiles take
    milliseconds. Compiles are serialised (the compiler is not re-entrant)."""

    _lock = threading.Lock()
    _cache: dict[str, Renderer] = {}

    def __init__(self, forms_dir: Path):
        self.forms_dir = forms_dir
        self.compiler = typst.Compiler(
            root=str(forms_dir), font_paths=[str(FONT_DIR)], ignore_system_fonts=True
        )
        self.compile_lock = threading.Lock()

    @classmethod
    def for_dir(cls, forms_dir: Path) -> Renderer:
        key = str(forms_dir.resolve())
        with cls._lock:
            if key not in cls._cache:
                cls._cache[key] = cls(forms_dir)
            return cls._cache[key]

    def main_source(self, form_ids: list[str]) -> str:
        lines = [
            '#import "/_lib/components.typ": *',
            '#import "/_lib/overflow.typ": overflow-page',
            '#import "/_guide/template.typ": guide-sheet',
        ]
        names = []
        for fid in form_ids:
            alias = "f_" + "".join(ch if ch.isalnum() else "_" for ch in fid)
            lines.append(f'#import "/{fid}/template.typ" as {alias}')
            names.append(f'"{fid}": {alias}.form')
        lines += [
            "#let data = json(bytes(sys.inputs.data))",
            '#set document(title: "届書・手続き案内票 — " + data.municipality.name, date: none)',
            f"#let forms = ({', '.join(names)}{',' if len(names) == 1 else ''})"
            if names
            else "#let forms = (:)",
            "#show: bundle-setup",
            "#set page(foreground: demo-mark(data))",
            "#for d in data.documents { page(forms.at(d.form)(d)) }",
            "#if data.overflow.len() > 0 { overflow-page(data) }",
            "#if data.guide != none { guide-sheet(data) }",
        ]
        return "\n".join(lines) + "\n"

    def compile(self, data: dict, fmt: str = "pdf", ppi: float | None = None) -> bytes | list:
        form_ids = sorted({d["form"] for d in data["documents"]})
        source = self.main_source(form_ids).encode("utf-8")
        payload = json.dumps(data, ensure_ascii=False, default=str)  # YAML dates → ISO
        with self.compile_lock:
            try:
                kwargs = {"format": fmt, "sys_inputs": {"data": payload}}
                if ppi:
                    kwargs["ppi"] = ppi
                return self.compiler.compile(input=source, **kwargs)
            except typst.TypstError as exc:
                where = getattr(exc, "diagnostic", "") or str(exc)
                raise DocumentError("template", f"Typst: {where}") from exc
