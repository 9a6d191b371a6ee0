"""Published catalog versions: the one source the counter, forms and rules read.

``services.load_into_db`` validates a folder and publishes it as one immutable
:class:`CatalogVersion` labelled ``YYYY-MM-DD.N.digest8`` (publication date, sequence of
that day, content digest) holding every file of the folder (:class:`CatalogFile`) and,
for the browser and the API, its departments and procedures as rows. Workers read the
published version (``versions.current``), materialised to a folder per label.
"""

from django.db import models


class CatalogVersion(models.Model):
    municipality = models.CharField(max_length=32)
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=16, blank=True)
    label = models.CharField(
        max_length=40, help_text="YYYY-MM-DD.N.digest8: publication date, sequence, content"
    )
    in_force = models.CharField(
        max_length=16, blank=True, default="", help_text="the latest valid_from in force"
    )
    digest = models.CharField(max_length=64, help_text="sha256 of the catalog files")
    source = models.CharField(max_length=500)
    loaded_at = models.DateTimeField(auto_now_add=True)
    published = models.BooleanField(default=False)
    meta = models.JSONField(default=dict)

    class Meta:
        ordering = ["-loaded_at", "-pk"]

    def __str__(self):
        return f"{self.municipality} {self.label} ({self.digest[:8]})"


class Department(models.Model):
    version = models.ForeignKey(
        CatalogVersion, on_delete=models.CASCADE, related_name="departments"
    )
    dept_id = models.CharField(max_length=32)
    name = models.CharField(max_length=100)
    place = models.CharField(max_length=200)
    handles = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField()
    en = models.JSONField(default=dict)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "dept_id"], name="catalog_dept_unique")
        ]


class Procedure(models.Model):
    version = models.ForeignKey(CatalogVersion, on_delete=models.CASCADE, related_name="procedures")
    proc_id = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    department = models.CharField(max_length=32)
    scope = models.CharField(max_length=16)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    position = models.PositiveIntegerField()
    data = models.JSONField(
        default=dict, help_text="forms, no_form, bring, deadline, legal basis, triggers, en"
    )

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "proc_id", "valid_from"], name="catalog_proc_version_unique"
            )
        ]


class ImmutableCatalogError(Exception):
    pass


class CatalogFile(models.Model):
    """One file of a published catalog version, byte for byte. Never changed."""

    version = models.ForeignKey(CatalogVersion, on_delete=models.PROTECT, related_name="files")
    path = models.CharField(max_length=300)  # relative, with "/"
    content = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "path"], name="catalog_file_unique")
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableCatalogError("a published catalog file is immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableCatalogError("a published catalog file is immutable")
