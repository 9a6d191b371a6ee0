"""The certificate kinds, fees and rules come from the published catalog version (the
database), like the procedures and forms: a publication changes them without a restart,
and the folder it was loaded from is no longer read."""

import shutil

from madoguchi.catalog import versions
from madoguchi.catalog.loader import DEMO_DIR
from madoguchi.catalog.services import load_into_db
from madoguchi.certificates.catalog import current


def test_certificates_follow_the_published_version(db, tmp_path):
    city = tmp_path / "city"
    shutil.copytree(DEMO_DIR, city)
    path = city / "certificates.yaml"
    text = path.read_text(encoding="utf-8")
    assert "fee_ordinance: 北見市手数料条例 別表第1" in text
    path.write_text(text.replace("北見市手数料条例 別表第1", "見本市手数料条例 別表第2"), "utf-8")

    load_into_db(DEMO_DIR)
    versions.forget()
    assert current().fee_ordinance == "北見市手数料条例 別表第1"

    load_into_db(city)
    versions.forget()
    assert current().fee_ordinance == "見本市手数料条例 別表第2"
    # read from the version's stored files, not from the folder it was loaded from
    shutil.rmtree(city)
    assert current().fee_ordinance == "見本市手数料条例 別表第2"
    assert str(versions.cache_dir()) in str(current().root)
