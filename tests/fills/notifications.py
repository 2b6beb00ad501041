from prm.models import EmailChoice, Membership, Notification, NotificationPreference


def fill(ctx) -> None:
    for user in (ctx.vendor_user, ctx.partner_user):
        member = Membership.objects.get(user=user)
        Notification.objects.create(
            recipient=member,
            kind="registration_approved",
            event="fill",
            params={"customer": "Filled Ltd", "protected_until": "2030-01-01"},
        )
        NotificationPreference.objects.create(
            membership=member, kind="registration_approved", email=EmailChoice.DIGEST
        )
