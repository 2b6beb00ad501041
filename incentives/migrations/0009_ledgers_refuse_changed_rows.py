from django.db import migrations

# The ledgers refuse a change to any row they hold — row by row, so that a
# DELETE or UPDATE that touches no row (a tenant's clean-up of every table)
# is not refused for the rows it does not have.
ROW_TRIGGERS = """
DROP TRIGGER mdf_entry_append_only ON incentives_mdfentry;
DROP TRIGGER points_entry_append_only ON incentives_pointsentry;
CREATE TRIGGER mdf_entry_append_only BEFORE UPDATE OR DELETE ON incentives_mdfentry
    FOR EACH ROW EXECUTE FUNCTION incentives_refuse_ledger_change();
CREATE TRIGGER points_entry_append_only BEFORE UPDATE OR DELETE ON incentives_pointsentry
    FOR EACH ROW EXECUTE FUNCTION incentives_refuse_points_change();
"""
STATEMENT_TRIGGERS = """
DROP TRIGGER mdf_entry_append_only ON incentives_mdfentry;
DROP TRIGGER points_entry_append_only ON incentives_pointsentry;
CREATE TRIGGER mdf_entry_append_only BEFORE UPDATE OR DELETE ON incentives_mdfentry
    FOR EACH STATEMENT EXECUTE FUNCTION incentives_refuse_ledger_change();
CREATE TRIGGER points_entry_append_only BEFORE UPDATE OR DELETE ON incentives_pointsentry
    FOR EACH STATEMENT EXECUTE FUNCTION incentives_refuse_points_change();
"""


class Migration(migrations.Migration):
    dependencies = [("incentives", "0008_spif_in_points")]

    operations = [migrations.RunSQL(ROW_TRIGGERS, STATEMENT_TRIGGERS)]
