from .catalogue import DealSettings, DirectAccount, Product
from .leads import Lead, LeadOffer, RoutingRule
from .registrations import (
    Activity,
    DealConflict,
    DealProduct,
    DealProtection,
    DealRegistration,
    DealTransition,
    RegistrationStatus,
    RevenueLine,
    Stage,
)

__all__ = [
    "Activity",
    "DealConflict",
    "DealProduct",
    "DealProtection",
    "DealRegistration",
    "DealSettings",
    "DealTransition",
    "DirectAccount",
    "Lead",
    "LeadOffer",
    "Product",
    "RegistrationStatus",
    "RevenueLine",
    "RoutingRule",
    "Stage",
]
