import uuid

from django.utils import timezone

from prm.models import ExportJob, Membership, OutboxMessage, SubmittedForm


def fill(ctx) -> None:
    OutboxMessage.objects.create(
        task_name="prm.email_send",
        args=["Hello", "Body", ["someone@example.test"]],
        published_at=timezone.now(),
        delivered_at=timezone.now(),
    )
    SubmittedForm.objects.create(
        key=uuid.uuid4(), target_type="partners.idea", target_id=ctx.partner.pk
    )
    ExportJob.objects.create(
        kind="partners",
        filters={},
        requested_by=Membership.objects.get(user=ctx.vendor_user),
        status=ExportJob.Status.FAILED,
        error="Kept as an example.",
    )
