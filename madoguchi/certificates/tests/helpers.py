"""Helpers shared by the certificate tests."""


def new_url(client, atena_no: str) -> str:
    """The request screen's URL for a person, as the screens link to it: an opaque
    reference in the client's session (register/refs.py)."""
    from madoguchi.register.refs import ref_for

    session = client.session
    ref = ref_for(session, "person", atena_no)
    session.save()
    return f"/certificates/new/{ref}/"
