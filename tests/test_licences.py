"""The repository says what it is licensed under and what it carries from others: LICENSE
(MIT, as the package metadata says) and NOTICE naming every vendored file with its licence,
whose text lies beside the files."""

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Folders whose files come from others; every file in them must be accounted for in NOTICE.
VENDORED_DIRS = [
    "madoguchi/static/fonts",
    "madoguchi/static/vendor",
    "madoguchi/register/samples/mado-sample",
    "madoguchi/core/data",
]


def _notice():
    return (REPO / "NOTICE").read_text("utf-8")


def test_licence_file_is_mit_as_the_package_metadata_says():
    meta = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    assert meta["license"] == "MIT"  # SPDX expression (PEP 639)
    assert {"LICENSE", "NOTICE"} <= set(meta["license-files"])
    assert (REPO / "LICENSE").read_text("utf-8").startswith("MIT License\n")


def test_notice_names_every_vendored_file_and_its_licence_text_exists():
    notice = _notice()
    named = set(re.findall(r"madoguchi/[\w/.-]+", notice))
    missing = [p for p in sorted(named) if not (REPO / p).is_file()]
    assert not missing, f"NOTICE names files that do not exist: {missing}"
    for folder in VENDORED_DIRS:
        for f in sorted((REPO / folder).iterdir()):
            if f.name == "README.md":
                continue
            rel = f.relative_to(REPO).as_posix()
            assert rel in named, f"{rel} is vendored but NOTICE does not name it"
    licences = re.findall(r"Licence: .*\n\s+(madoguchi/\S+)", notice)
    assert len(licences) == 5, licences  # IPAmj明朝, Noto, htmx, the MADO sample, countries
    for section in (
        "IPA Font License",
        "SIL Open Font License",
        "Zero-Clause BSD",
        "MIT",
        "GNU LGPL 2.1",
        "政府標準利用規約",
    ):
        assert section in notice
