"""Incentive programs and exchange rates in the console: the list, a
program's rules in plain words with a preview, drafts, activation, versions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from incentives.rules_text import program_rules_in_words
from incentives.selectors import programs as selectors
from incentives.selectors import runs as run_selectors
from incentives.selectors.programs import program_terms
from incentives.services import exchange_rates, programs
from prm import policies

from ...access import policy_required
from ...calls import call_with_form, call_with_message
from .forms import ExchangeRateForm, PreviewForm, ProgramForm, RunForm, initial_from


def _to_program(request, program):
    return redirect("console:program", tenant_slug=request.tenant.slug, program_id=program.pk)


@policy_required(policies.can_view_payouts)
def program_list(request):
    return render(
        request,
        "programs/list.html",
        {"programs": selectors.programs_visible_to(membership=request.membership)},
    )


@policy_required(policies.can_manage_programs)
def program_create(request):
    form = ProgramForm(request.POST or None)
    created = {}
    if request.method == "POST" and call_with_form(
        form,
        lambda: created.setdefault(
            "program", programs.program_create(terms=form.terms(), by=request.membership)
        ),
    ):
        messages.success(request, _("Program saved as a draft."))
        return _to_program(request, created["program"])
    status = 400 if form.errors else 200
    return render(request, "programs/form.html", {"form": form}, status=status)


@policy_required(policies.can_manage_programs)
def program_edit(request, program_id):
    program = selectors.program_get(membership=request.membership, program_id=program_id)
    form = ProgramForm(request.POST or None, initial=initial_from(program, program_terms(program)))
    if request.method == "POST" and call_with_form(
        form,
        lambda: programs.program_update(program=program, terms=form.terms(), by=request.membership),
    ):
        messages.success(request, _("Program saved."))
        return _to_program(request, program)
    status = 400 if form.errors else 200
    return render(request, "programs/form.html", {"form": form, "program": program}, status=status)


@policy_required(policies.can_view_payouts)
def program_detail(request, program_id):
    program = selectors.program_get(membership=request.membership, program_id=program_id)
    preview_form = PreviewForm(request.GET or None)
    preview = (
        selectors.program_preview(program, preview_form.cleaned_data["volume"])
        if request.GET and preview_form.is_valid()
        else None
    )
    context = {
        "program": program,
        "rules": program_rules_in_words(program),
        "preview_form": preview_form,
        "preview": preview,
        "runs": run_selectors.runs_visible_to(membership=request.membership).filter(
            program=program
        ),
        "run_form": RunForm(),
        "can_manage": policies.can_manage_programs(request.membership),
        "can_prepare": policies.can_prepare_payouts(request.membership),
    }
    return render(request, "programs/detail.html", context)


def _program_action(service, success):
    @require_POST
    @policy_required(policies.can_manage_programs)
    def view(request, program_id):
        program = selectors.program_get(membership=request.membership, program_id=program_id)
        result = {}
        call_with_message(
            request,
            lambda: result.setdefault("program", service(program=program, by=request.membership)),
            success,
        )
        return _to_program(request, result.get("program", program))

    return view


program_activate = _program_action(programs.program_activate, _("Program activated."))
program_close = _program_action(programs.program_close, _("Program closed."))
program_new_version = _program_action(
    programs.program_new_version, _("A new draft version was made; change it and activate it.")
)


@policy_required(policies.can_view_payouts)
def exchange_rate_list(request):
    form = ExchangeRateForm(request.POST or None)
    if request.method == "POST":
        if not policies.can_manage_exchange_rates(request.membership):
            raise PermissionDenied
        if call_with_form(
            form,
            lambda: exchange_rates.exchange_rate_set(by=request.membership, **form.cleaned_data),
        ):
            messages.success(request, _("Exchange rate saved."))
            return redirect("console:exchange_rates", tenant_slug=request.tenant.slug)
    context = {
        "rates": selectors.exchange_rates(membership=request.membership)[:500],
        "form": form,
        "can_edit": policies.can_manage_exchange_rates(request.membership),
    }
    return render(
        request, "programs/exchange_rates.html", context, status=400 if form.errors else 200
    )
