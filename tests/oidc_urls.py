"""The product's URLs with single sign-on switched on (what madoguchi/urls.py builds when
MADOGUCHI_OIDC_CLIENT_ID is set), for tests/test_oidc.py."""

from madoguchi.accounts import oidc
from madoguchi.urls import handler500  # noqa: F401
from madoguchi.urls import urlpatterns as product

urlpatterns = product + oidc.urlpatterns()
