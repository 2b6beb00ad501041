"""The partner directory as an export kind (see ``prm.exports``)."""

from django.utils.translation import gettext_lazy as _

from prm.exports import ExportKind, export_register
from prm.policies import can_export_lists

from .selectors.directory import PartnerFilters, partner_directory_filtered
from .selectors.organisations import partner_export_rows
from .services.imports import TEMPLATE_COLUMNS

# The import template's columns, so an exported file imports again, plus two.
DIRECTORY_COLUMNS = [*TEMPLATE_COLUMNS, "tier", "people"]


def register_exports() -> None:
    export_register(
        ExportKind(
            name="partners",
            title=_("Partner directory"),
            filename="partners",
            policy=can_export_lists,
            filters=PartnerFilters,
            header=DIRECTORY_COLUMNS,
            select=lambda membership, filters: partner_directory_filtered(
                membership=membership, filters=filters
            ),
            rows=partner_export_rows,
        )
    )
