"""The catalog published in the database: every load is a new immutable version with its
own label, every worker reads it from its next request without a restart, old versions
stay loadable, visits keep their version, and records carry the catalog's municipality
code."""

import re
import shutil

import pytest
from django.utils import timezone

from madoguchi.audit.models import AuditRecord
from madoguchi.catalog import versions
from madoguchi.catalog.loader import DEMO_DIR, current_catalog
from madoguchi.catalog.models import CatalogFile, CatalogVersion, ImmutableCatalogError
from madoguchi.catalog.services import digest_of, load_into_db


@pytest.fixture
def city(tmp_path):
    """A copy of the demo catalog the test edits like a city's administrator."""
    d = tmp_path / "city"
    shutil.copytree(DEMO_DIR, d)
    return d


def rename(folder, name, mayor=None):
    p = folder / "catalog.yaml"
    text = p.read_text(encoding="utf-8").replace("name: 北見市", f"name: {name}", 1)
    if mayor:
        text = text.replace("mayor: 北見市長", f"mayor: {mayor}", 1)
    p.write_text(text, encoding="utf-8")


def test_each_publication_is_a_labelled_immutable_version(db, city):
    v1 = load_into_db(DEMO_DIR)
    today = timezone.localdate().isoformat()
    assert re.fullmatch(rf"{today}\.1\.[0-9a-f]{{8}}", v1.label)
    assert v1.label.endswith(v1.digest[:8]) and v1.in_force
    assert load_into_db(DEMO_DIR).pk == v1.pk  # the same files again: nothing new
    rename(city, "見本市")
    v2 = load_into_db(city)
    assert v2.label.startswith(f"{today}.2.") and v2.digest != v1.digest
    assert list(CatalogVersion.objects.filter(published=True)) == [v2]
    # every file byte for byte, and the digest is over exactly them
    files = {f.path: bytes(f.content) for f in CatalogFile.objects.filter(version=v2)}
    assert "catalog.yaml" in files and any(p.endswith("template.typ") for p in files)
    assert digest_of(files) == v2.digest
    f = CatalogFile.objects.filter(version=v2).first()
    with pytest.raises(ImmutableCatalogError):
        f.save()
    with pytest.raises(ImmutableCatalogError):
        f.delete()
    rec = AuditRecord.objects.filter(action="catalog.publish").order_by("-seq").first()
    assert v2.label in rec.query and v2.digest in rec.query


def test_the_published_version_is_what_the_product_reads(db, city, settings):
    rename(city, "見本市")
    v = load_into_db(city)
    cat = current_catalog()
    assert cat.name == "見本市" and cat.label == v.label
    assert cat.code == "012084"
    # read from the published files, not from the folder it was loaded from
    shutil.rmtree(city)
    versions._BY_LABEL.clear()
    assert current_catalog().name == "見本市"
    assert str(versions.cache_dir()) in str(current_catalog().path)


def test_a_running_worker_picks_up_a_new_version_at_its_next_request(db, city, admin_user, client):
    load_into_db(DEMO_DIR)
    assert current_catalog().name == "北見市"
    old = dict(versions._checked)
    rename(city, "見本市")
    load_into_db(city)  # as if another process published it…
    versions._checked.update(old, at=__import__("time").monotonic())  # …this one has not looked
    assert current_catalog().name == "北見市"  # outside a request: until the next check
    client.force_login(admin_user)
    page = client.get("/catalog/").content.decode()
    assert "見本市" in page  # a request looks once, no restart needed


def test_an_older_version_stays_loadable_by_its_label(db, city):
    v1 = load_into_db(DEMO_DIR)
    rename(city, "見本市", mayor="見本市長")
    load_into_db(city)
    versions._BY_LABEL.clear()
    shutil.rmtree(versions.cache_dir(), ignore_errors=True)
    old = versions.by_label(v1.label)
    assert old.name == "北見市" and old.meta["mayor"] == "北見市長"
    assert current_catalog().meta["mayor"] == "見本市長"


def test_production_without_a_published_catalog_says_so(db, settings):
    from madoguchi.catalog.model import CatalogError

    settings.MADOGUCHI_PRODUCTION = True
    with pytest.raises(CatalogError, match="catalog load"):
        current_catalog()


def test_records_carry_the_municipality_code_of_the_catalog(db, city, clerk):
    from madoguchi.counter.models import Ticket, Visit
    from madoguchi.tasks.models import Task

    p = city / "catalog.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace('code: "012084"', 'code: "011002"'))
    load_into_db(city)
    t = Ticket.objects.create(issued_on=timezone.localdate(), group="onestop", number=1,
                              purpose="move_in")  # fmt: skip
    v = Visit.objects.create(ticket=t, clerk=clerk, event_date=timezone.localdate())
    task = Task.objects.create(visit=v, procedure_id="x", name="x", department="citizen")
    assert {t.municipality_code, v.municipality_code, task.municipality_code} == {"011002"}


def test_the_guide_round_trip_export_edit_check_load(db, tmp_path, capsys):
    """docs/catalog-city.md as commands: export the published catalog, edit it, check,
    publish, list the versions."""
    from django.core.management import call_command

    v1 = load_into_db(DEMO_DIR)
    out = tmp_path / "mycity"
    call_command("catalog", "export", "--out", str(out))
    rename(out, "見本市")
    call_command("catalog", "check", str(out))
    call_command("catalog", "load", str(out))
    listing = capsys.readouterr().out
    assert "登録しました: 見本市" in listing
    call_command("catalog", "versions")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("* ") and "見本市" in lines[0] and v1.label in lines[1]
    call_command("catalog", "export", "--version", v1.label, "--out", str(tmp_path / "old"))
    assert "name: 北見市" in (tmp_path / "old" / "catalog.yaml").read_text(encoding="utf-8")


def test_the_api_and_the_browser_name_the_published_version(db, clerk_client):
    v = load_into_db(DEMO_DIR)
    info = clerk_client.get("/api/catalog/").json()
    assert info["label"] == v.label and info["code"] == "012084"
    assert v.label in clerk_client.get("/catalog/").content.decode()


def test_a_stored_file_never_lands_outside_its_version_folder(db, tmp_path):
    """A row written into the database by hand (not by `catalog load`) cannot make a
    worker write outside the version's folder."""
    from madoguchi.catalog.model import CatalogError

    v = load_into_db(DEMO_DIR)
    CatalogFile.objects.create(version=v, path="../escaped.yaml", content=b"x: 1")
    shutil.rmtree(versions.cache_dir(), ignore_errors=True)
    versions._BY_LABEL.clear()
    with pytest.raises(CatalogError, match="不正なファイル名"):
        versions.by_label(v.label)
    assert not (versions.cache_dir() / "escaped.yaml").exists()
