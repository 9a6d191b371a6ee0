"""The person at the counter (届出人 / 申請者): who came and signs, defined once here.

The visit chooses it (``Visit.state["applicant"]``, the ``--applicant`` option of
``madoguchi documents render``, the ``applicant`` of the bundle API), as one of:

- ``{"person": "p2"}``: a person of the situation (the household at the counter);
- ``{"name": …, "relationship": …, "kana"?, "address"?, "phone"?}``: someone from outside
  the household (an agent, a relative from another household); ``relationship`` is what
  the forms print as 届出人続柄 (代理人, 長男 …).

Every form prints it as 届出人 / 申請者 (本人 on a form whose subject it is). Without a
choice the forms print the head, as the one who usually comes — but never a survivor
picked by household order after the head's death: then the box stays blank for the
person who came to write.
"""

from __future__ import annotations

from madoguchi.documents.engine.formats import DocumentError

# the account is the one a claim is paid to (葬祭費), captured at the counter
BANK_KEYS = {
    "bank_name",
    "bank_branch",
    "bank_account_type",
    "bank_account_no",
    "bank_account_holder",
}
OUTSIDE_KEYS = {"name", "kana", "relationship", "address", "phone", *BANK_KEYS}


def applicant_context(applicant: dict | None, ctxs: dict, head_ctx: dict, deceased) -> dict:
    """The notifier context every form binds ``notifier.*`` to; {} when nobody is known."""
    if applicant is None:
        return {} if head_ctx.get("id") == deceased else head_ctx
    if not isinstance(applicant, dict):
        raise DocumentError("applicant", "must be a mapping (person, or name and relationship)")
    if "person" in applicant:
        if set(applicant) != {"person"}:
            raise DocumentError("applicant", "give either person or the outside fields, not both")
        pid = applicant["person"]
        if pid not in ctxs:
            raise DocumentError("applicant.person", f"{pid!r} is not a person of the situation")
        if pid == deceased:
            raise DocumentError("applicant.person", "the deceased cannot be the applicant")
        return ctxs[pid]
    unknown = set(applicant) - OUTSIDE_KEYS
    if unknown:
        raise DocumentError(f"applicant.{sorted(unknown)[0]}", "unknown key")
    for key in ("name", "relationship"):
        if not str(applicant.get(key) or "").strip():
            raise DocumentError(f"applicant.{key}", "required for someone from outside")
    return {
        "id": None,
        "name": str(applicant["name"]),
        "kana": str(applicant.get("kana") or ""),
        "relationship_ja": str(applicant["relationship"]),
        "address": str(applicant.get("address") or ""),
        "address_extra": "",
        "phone": str(applicant.get("phone") or ""),
        **{k: str(applicant.get(k) or "") for k in BANK_KEYS},
    }
