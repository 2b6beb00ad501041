"""Partner types: the built-in ones plus those the current tenant added."""

from .models import CustomPartnerType, PartnerType


def partner_type_choices() -> list[tuple[str, str]]:
    custom = [(t.key, t.name) for t in CustomPartnerType.objects.order_by("name")]
    return [*PartnerType.choices, *custom]


def partner_type_label(key: str) -> str:
    return dict(partner_type_choices()).get(key, key)


def is_partner_type(key: str) -> bool:
    return key in PartnerType.values or CustomPartnerType.objects.filter(key=key).exists()
