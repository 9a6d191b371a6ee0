"""The JSON API (OpenAPI schema at /api/openapi.json, docs at /api/docs).

Every endpoint needs a logged-in staff session (the same login as the UI) and the
CSRF token for unsafe methods; each app contributes one router. Every error answers one
body, ``{"detail", "errors": [{"field", "message"}]}`` (``core/apierrors.py``), declared
on every operation of the schema.
"""

from ninja import NinjaAPI
from ninja.security import django_auth

from madoguchi.audit.api import router as audit_router
from madoguchi.catalog.api import router as catalog_router
from madoguchi.catalog.determine_api import router as rules_router
from madoguchi.catalog.model import CatalogError
from madoguchi.certificates.api import router as certificates_router
from madoguchi.core import apierrors
from madoguchi.core.errors import install_api_handlers
from madoguchi.counter.api import router as counter_router
from madoguchi.documents.api import router as documents_router
from madoguchi.register.api import router as register_router
from madoguchi.tasks.api import router as tasks_router


class Api(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return apierrors.document(super().get_openapi_schema(*args, **kwargs))


api = Api(
    title="madoguchi API",
    version="1",
    description="書かないワンストップ窓口 — counter, register, catalog, determination, documents, tasks",
    auth=django_auth,
)
apierrors.install(api)  # ninja's own errors (validation, login, CSRF) in the one shape
install_api_handlers(api)  # missing records → 404, database down → 503 (core/errors.py)


@api.exception_handler(CatalogError)
def catalog_broken(request, exc: CatalogError):
    """A broken catalog answers 503 naming the files and lines, like the pages."""
    return apierrors.respond(
        503,
        "catalog not loadable",
        issues=[{"file": i.file, "line": i.line, "message": i.message} for i in exc.issues],
    )


api.add_router("/register", register_router)
api.add_router("/catalog", catalog_router)
api.add_router("/rules", rules_router)
api.add_router("/documents", documents_router)
api.add_router("/counter", counter_router)
api.add_router("/tasks", tasks_router)
api.add_router("/audit", audit_router)
api.add_router("/certificates", certificates_router)
