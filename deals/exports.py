"""The registrations list as an export kind (see ``prm.exports``)."""

from django.utils.translation import gettext_lazy as _

from prm.exports import ExportKind, export_register
from prm.policies import can_export_lists

from .selectors.registrations import (
    EXPORT_COLUMNS,
    RegistrationFilters,
    registration_export_rows,
    registration_rows,
    registrations_filtered,
)


def register_exports() -> None:
    export_register(
        ExportKind(
            name="registrations",
            title=_("Deal registrations"),
            filename="registrations",
            policy=can_export_lists,
            filters=RegistrationFilters,
            header=EXPORT_COLUMNS,
            select=lambda membership, filters: registration_rows(
                registrations_filtered(membership=membership, filters=filters)
            ),
            rows=registration_export_rows,
        )
    )
