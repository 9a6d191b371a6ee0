"""A small OpenID Connect provider (django-oauth-toolkit) that tests/test_oidc.py runs in
a second process: the city's identity provider, with users, groups and one client."""
