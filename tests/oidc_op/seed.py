"""python -m oidc_op.seed: migrate and create the users, groups and the madoguchi client."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oidc_op.settings")
django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

if sys.argv[1] == "groups":  # python -m oidc_op.seed groups USER g1,g2: a change at the city
    user = User.objects.get(username=sys.argv[2])
    user.groups.set([Group.objects.get_or_create(name=g)[0] for g in sys.argv[3].split(",") if g])
    sys.exit(0)
spec = json.loads(sys.argv[1])
call_command("migrate", verbosity=0)
for u in spec["users"]:
    user = User.objects.create_user(
        u["username"], u.get("email", ""), u["password"],
        last_name=u.get("last_name", ""), first_name=u.get("first_name", ""),
    )  # fmt: skip
    for g in u["groups"]:
        user.groups.add(Group.objects.get_or_create(name=g)[0])
Application.objects.create(
    name="madoguchi",
    client_id=spec["client_id"],
    client_secret=spec["client_secret"],
    hash_client_secret=False,
    client_type=Application.CLIENT_CONFIDENTIAL,
    authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
    redirect_uris=spec["redirect_uri"],
    algorithm=Application.RS256_ALGORITHM,
    skip_authorization=True,
)
