"""Small helpers shared by the partner lifecycle tests."""

import time

from django.core import signing

from portal.areas.recruitment.forms import FORM_SALT


class _EarlierSigner(signing.TimestampSigner):
    def timestamp(self):
        return signing.b62_encode(int(time.time()) - 60)


def started_a_minute_ago() -> str:
    """The signed start time of an application form a person began a minute ago."""
    return _EarlierSigner(salt=FORM_SALT).sign_object(0)


def application_post(**overrides) -> dict:
    data = {
        "company_name": "Acme Integrations",
        "legal_name": "Acme Integrations GmbH",
        "website": "https://acme-int.example",
        "email_domain": "acme-int.example",
        "country": "de",
        "regions": "DACH, Nordics",
        "industries": "Manufacturing, Retail",
        "partner_type": "si",
        "contact_name": "Anna Acme",
        "contact_email": "anna@acme-int.example",
        "contact_phone": "+49 30 1234",
        "fax_number": "",
        "started": started_a_minute_ago(),
    }
    data.update(overrides)
    return data
