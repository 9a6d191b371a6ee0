from oauth2_provider.oauth2_validators import OAuth2Validator


class CityValidator(OAuth2Validator):
    """The claims a city's provider sends: account name, names, mail and groups."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "groups": "groups"}

    def get_additional_claims(self, request):
        u = request.user
        return {
            "preferred_username": u.username,
            "family_name": u.last_name,
            "given_name": u.first_name,
            "email": u.email,
            "groups": sorted(g.name for g in u.groups.all()),
        }
