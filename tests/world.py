"""The shared cast of every test: tenants A and B, partners P and Q in A, and
one user per role, so an isolation test is one line."""

from datetime import timedelta
from types import SimpleNamespace

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from partners.models import Partner, PartnerInvitation, PartnerMembership, PartnerType
from prm.audit import audit_record
from prm.models import Invitation, Membership, Tenant, User
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.fills import FillContext, fill_all

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


def make_member(tenant: Tenant, email: str, role: str, partner: Partner | None = None):
    """A membership with ``role``; partner people are linked to ``partner``."""
    user = UserFactory(email=email)
    with tenant_context(tenant.pk):
        membership = Membership.objects.create(user=user, role=role)
        if partner is not None:
            membership.partner_link = PartnerMembership.objects.create(
                membership=membership, partner=partner
            )
    return membership


def staff() -> Membership:
    """Who acts when a test's set-up needs the vendor's staff: the current
    tenant's channel manager, else its vendor admin."""
    members = Membership.objects.filter(is_active=True)
    return (
        members.filter(role=Role.CHANNEL_MANAGER).order_by("pk").first()
        or members.filter(role=Role.VENDOR_ADMIN).order_by("pk").first()
    )


def build_world() -> SimpleNamespace:
    a = Tenant.objects.create(name="Vendor A", slug="vendor-a")
    b = Tenant.objects.create(name="Vendor B", slug="vendor-b")
    with tenant_context(a.pk):
        p = Partner.objects.create(name="Partner P", partner_type=PartnerType.RESELLER)
        q = Partner.objects.create(name="Partner Q", partner_type=PartnerType.MSP)
    with tenant_context(b.pk):
        b_partner = Partner.objects.create(name="Partner of B", partner_type=PartnerType.ISV)
    w = SimpleNamespace(a=a, b=b, p=p, q=q, b_partner=b_partner)
    w.vendor_admin = make_member(a, "admin@a.test", Role.VENDOR_ADMIN)
    w.channel_manager = make_member(a, "manager@a.test", Role.CHANNEL_MANAGER)
    w.finance = make_member(a, "finance@a.test", Role.FINANCE)
    w.p_admin = make_member(a, "admin@p.test", Role.PARTNER_ADMIN, p)
    w.p_rep = make_member(a, "rep@p.test", Role.PARTNER_REP, p)
    w.q_rep = make_member(a, "rep@q.test", Role.PARTNER_REP, q)
    w.b_admin = make_member(b, "admin@b.test", Role.VENDOR_ADMIN)
    w.b_rep = make_member(b, "rep@b.test", Role.PARTNER_REP, b_partner)
    # Every tenant table holds rows of both tenants, so a leak would show.
    w.a_invitation = invite(a, "invitee@a.test", Role.PARTNER_REP, p, w.vendor_admin.user)
    w.b_invitation = invite(b, "invitee@b.test", Role.VENDOR_ADMIN, None, w.b_admin.user)
    for tenant, actor in ((a, w.vendor_admin.user), (b, w.b_admin.user)):
        with tenant_context(tenant.pk):
            audit_record(actor=actor, action="test.world_built")
    fill_all(FillContext(a, p, w.vendor_admin.user, w.p_admin.user))
    fill_all(FillContext(b, b_partner, w.b_admin.user, w.b_rep.user))
    return w


def invite(tenant, email, role, partner, by, *, days=7) -> Invitation:
    with tenant_context(tenant.pk):
        invitation = Invitation.objects.create(
            email=email,
            role=role,
            invited_by=by,
            expires_at=timezone.now() + timedelta(days=days),
        )
        if partner is not None:
            invitation.partner_link = PartnerInvitation.objects.create(
                invitation=invitation, partner=partner
            )
        return invitation
