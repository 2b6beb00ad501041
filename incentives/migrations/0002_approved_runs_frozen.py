"""An approved run is a document: PostgreSQL refuses any change to its payouts
and items, and refuses to move the run back to a draft or alter its totals,
whatever path (service, admin, shell) tries."""

from django.db import migrations

FROZEN = """
CREATE FUNCTION incentives_run_is_frozen(run bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM incentives_payoutrun
                   WHERE id = run AND status IN ('approved', 'paid'))
$$;

CREATE FUNCTION incentives_refuse_frozen_line() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP <> 'INSERT' AND incentives_run_is_frozen(OLD.run_id))
       OR (TG_OP <> 'DELETE' AND incentives_run_is_frozen(NEW.run_id)) THEN
        RAISE EXCEPTION 'payout run is approved; its lines cannot change'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER payout_frozen BEFORE INSERT OR UPDATE OR DELETE ON incentives_payout
    FOR EACH ROW EXECUTE FUNCTION incentives_refuse_frozen_line();
CREATE TRIGGER payout_item_frozen BEFORE INSERT OR UPDATE OR DELETE ON incentives_payoutitem
    FOR EACH ROW EXECUTE FUNCTION incentives_refuse_frozen_line();

CREATE FUNCTION incentives_refuse_run_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status IN ('approved', 'paid') THEN
            RAISE EXCEPTION 'an approved payout run cannot be deleted'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status IN ('approved', 'paid') AND (
        NEW.status NOT IN ('approved', 'paid')
        OR NEW.total IS DISTINCT FROM OLD.total
        OR NEW.program_id IS DISTINCT FROM OLD.program_id
        OR NEW.period_start IS DISTINCT FROM OLD.period_start
        OR NEW.period_end IS DISTINCT FROM OLD.period_end
        OR NEW.as_of IS DISTINCT FROM OLD.as_of
        OR NEW.budget_decision IS DISTINCT FROM OLD.budget_decision
        OR NEW.approved_by_id IS DISTINCT FROM OLD.approved_by_id
    ) THEN
        RAISE EXCEPTION 'payout run is approved; it cannot change'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER payout_run_frozen BEFORE UPDATE OR DELETE ON incentives_payoutrun
    FOR EACH ROW EXECUTE FUNCTION incentives_refuse_run_change();
"""

THAW = """
DROP TRIGGER payout_run_frozen ON incentives_payoutrun;
DROP FUNCTION incentives_refuse_run_change();
DROP TRIGGER payout_item_frozen ON incentives_payoutitem;
DROP TRIGGER payout_frozen ON incentives_payout;
DROP FUNCTION incentives_refuse_frozen_line();
DROP FUNCTION incentives_run_is_frozen(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [("incentives", "0001_initial")]

    operations = [migrations.RunSQL(FROZEN, THAW)]
