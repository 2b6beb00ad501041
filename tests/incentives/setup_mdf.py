"""Shared set-up for the MDF tests: a program running around today, funds,
requests and claims through the services."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incentives.mdf_rules import ActivityPlan, ClaimReport
from incentives.models import MdfFund
from incentives.services.mdf_claims import mdf_claim_approve, mdf_claim_submit
from incentives.services.mdf_funds import mdf_fund_allocate_one
from incentives.services.mdf_requests import mdf_request_approve, mdf_request_submit
from tests.incentives.setup_incentives import D, program
from tests.world import staff

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def today() -> datetime.date:
    return timezone.localdate()


def mdf_program(allocation="manual", **terms):
    year = today().year
    defaults = dict(
        name="Co-marketing",
        starts_on=datetime.date(year - 1, 1, 1),
        ends_on=datetime.date(year + 1, 12, 31),
        mdf_allocation=allocation,
        claim_window_days=60,
        reminder_days=14,
    )
    return program("mdf", **{**defaults, **terms})


def fund(mdf, partner, amount="10000.00", *, day=None) -> MdfFund:
    return mdf_fund_allocate_one(
        program=mdf, partner=partner, day=day or today(), amount=D(amount), by=staff()
    )


def plan(amount="1000.00", *, starts=None, ends=None, **fields) -> ActivityPlan:
    starts = starts or today()
    return ActivityPlan(
        activity_type=fields.pop("activity_type", "webinar"),
        title=fields.pop("title", "Partner webinar"),
        description=fields.pop("description", "A webinar for prospects"),
        starts_on=starts,
        ends_on=ends or starts,
        amount=D(amount),
        **fields,
    )


def pdf(name="invoice.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def approved_request(mdf, person, amount="1000.00", *, approve=None, **plan_fields):
    request = mdf_request_submit(program=mdf, plan=plan(amount, **plan_fields), by=person)
    return mdf_request_approve(request=request, by=staff(), amount=D(approve) if approve else None)


def claim(request, person, amount, *, leads=None, attendees=None, files=None):
    return mdf_claim_submit(
        request=request,
        report=ClaimReport(amount=D(amount), actual_leads=leads, actual_attendees=attendees),
        proofs=files if files is not None else [pdf()],
        by=person,
    )


def approved_claim(request, person, amount, *, approve=None, **report):
    submitted = claim(request, person, amount, **report)
    return mdf_claim_approve(claim=submitted, by=staff(), amount=D(approve) if approve else None)


def balances(fund) -> dict:
    fund.refresh_from_db()
    return {
        name: getattr(fund, name)
        for name in ("allocated", "available", "committed", "claimed", "paid", "expired")
    }


__all__ = ["io"]
