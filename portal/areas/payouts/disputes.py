"""Disputes of payout lines: opened by a partner admin from the payout page,
answered by both sides in one thread, resolved by finance."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incentives.selectors import disputes as selectors
from incentives.selectors.runs import payout_item_get
from incentives.services import disputes as services
from prm import policies

from ...access import policy_required
from ...calls import call_with_form


class MessageForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )


class ResolveForm(MessageForm):
    amount = forms.DecimalField(
        label=gettext_lazy("Adjustment in the next run"),
        required=False,
        max_digits=18,
        decimal_places=2,
        help_text=gettext_lazy("Leave empty to resolve without a change; negative takes back."),
    )


def _thread(request, dispute, template, **extra):
    context = {
        "dispute": dispute,
        "thread": selectors.dispute_thread(dispute),
        "reply_form": extra.pop("reply_form", None) or MessageForm(),
        **extra,
    }
    status = 400 if any(f.errors for f in context.values() if isinstance(f, forms.Form)) else 200
    return render(request, template, context, status=status)


@policy_required(policies.can_dispute_statements)
def dispute_open(request, item_id):
    item = payout_item_get(membership=request.membership, item_id=item_id)
    form = MessageForm(request.POST or None)
    made = {}
    if request.method == "POST" and call_with_form(
        form,
        lambda: made.setdefault(
            "dispute",
            services.dispute_open(item=item, body=form.cleaned_data["body"], by=request.membership),
        ),
    ):
        messages.success(request, _("Dispute sent: finance answers here."))
        return redirect(
            "portal:my_dispute", tenant_slug=request.tenant.slug, dispute_id=made["dispute"].pk
        )
    return render(
        request,
        "payouts/dispute_open.html",
        {"item": item, "form": form},
        status=400 if form.errors else 200,
    )


def _reply(request, dispute, namespace):
    form = MessageForm(request.POST)
    if call_with_form(
        form,
        lambda: services.dispute_reply(
            dispute=dispute, body=form.cleaned_data["body"], by=request.membership
        ),
    ):
        return redirect(
            f"{namespace}:{'my_dispute' if namespace == 'portal' else 'dispute'}",
            tenant_slug=request.tenant.slug,
            dispute_id=dispute.pk,
        )
    return form


@policy_required(policies.can_dispute_statements)
def my_dispute(request, dispute_id):
    dispute = selectors.dispute_get(membership=request.membership, dispute_id=dispute_id)
    if request.method == "POST":
        outcome = _reply(request, dispute, "portal")
        if not isinstance(outcome, forms.Form):
            return outcome
        return _thread(request, dispute, "payouts/dispute.html", reply_form=outcome)
    return _thread(request, dispute, "payouts/dispute.html")


@policy_required(policies.can_dispute_statements)
def my_disputes(request):
    disputes = selectors.disputes_visible_to(membership=request.membership)[:200]
    return render(request, "payouts/disputes.html", {"disputes": disputes, "console": False})


@policy_required(policies.can_view_payouts)
def disputes(request):
    listed = selectors.disputes_visible_to(membership=request.membership)[:200]
    return render(request, "payouts/disputes.html", {"disputes": listed, "console": True})


@policy_required(policies.can_view_payouts)
def dispute(request, dispute_id):
    dispute = selectors.dispute_get(membership=request.membership, dispute_id=dispute_id)
    resolve_form = ResolveForm()
    reply_form = None
    if request.method == "POST":
        if "resolve" in request.POST:
            resolve_form = ResolveForm(request.POST)
            if call_with_form(
                resolve_form,
                lambda: services.dispute_resolve(
                    dispute=dispute, by=request.membership, **resolve_form.cleaned_data
                ),
            ):
                messages.success(request, _("Dispute resolved."))
                return redirect(
                    "console:dispute", tenant_slug=request.tenant.slug, dispute_id=dispute.pk
                )
        else:
            outcome = _reply(request, dispute, "console")
            if not isinstance(outcome, forms.Form):
                return outcome
            reply_form = outcome
    return _thread(
        request,
        dispute,
        "payouts/dispute.html",
        reply_form=reply_form,
        resolve_form=resolve_form,
        can_resolve=policies.can_resolve_disputes(request.membership),
        console=True,
    )
