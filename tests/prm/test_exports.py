"""List exports run as background jobs: asked for once, written by a worker
with progress, downloaded only by the person who asked, deleted after a week."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from partners.models import Partner, PartnerType
from partners.selectors.directory import PartnerFilters
from prm import exports
from prm.exports import ExportKind, export_register, progress_report
from prm.models import ExportJob, Membership
from prm.policies import NotAllowed, can_export_lists
from prm.services.exports import export_request, exports_purge
from prm.tenancy import tenant_context
from tests.celery_worker import wait_for
from tests.concurrency import run_together
from tests.exporting import download, export_id_of, write


def _url(world, name, **kwargs):
    return reverse(f"console:{name}", kwargs={"tenant_slug": world.a.slug, **kwargs})


def _job(world, export_id) -> ExportJob:
    with tenant_context(world.a.pk):
        return ExportJob.objects.get(pk=export_id)


def _ask(client, world, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(f"{_url(world, 'partners_export')}?{query}")


def test_the_export_button_queues_a_job_and_the_page_follows_it(client, world):
    client.force_login(world.channel_manager.user)
    response = _ask(client, world, partner_type=PartnerType.MSP)
    export_id = export_id_of(response)
    job = _job(world, export_id)
    assert (job.kind, job.status, job.requested_by_id) == (
        "partners",
        "queued",
        world.channel_manager.pk,
    )
    assert job.filters["partner_type"] == PartnerType.MSP
    with tenant_context(world.a.pk):
        from prm.models import OutboxMessage

        assert OutboxMessage.objects.filter(task_name="prm.export_run", args=[export_id]).exists()

    page = client.get(_url(world, "export_detail", export_id=export_id))
    assert page.status_code == 200
    assert b'http-equiv="refresh"' in page.content
    assert b"Waiting for a worker" in page.content

    progress_report(tenant_id=world.a.pk, export_id=export_id, written=5000, total=20000)
    page = client.get(_url(world, "export_detail", export_id=export_id))
    assert b"5,000 of 20,000 rows written" in page.content
    assert b'aria-valuenow="25"' in page.content

    write(world.a, export_id)
    page = client.get(_url(world, "export_detail", export_id=export_id))
    assert b'http-equiv="refresh"' not in page.content
    assert b"Download CSV" in page.content
    text = download(client, world.a, export_id)
    assert text.splitlines()[1].startswith("Partner Q,")
    assert len(text.splitlines()) == 2
    listing = client.get(_url(world, "exports"))
    assert listing.status_code == 200 and listing.context["jobs"][0].pk == export_id


def test_asking_twice_while_it_is_prepared_is_one_export(client, world):
    client.force_login(world.channel_manager.user)
    first = export_id_of(_ask(client, world, q="P"))
    second = _ask(client, world, q="P")
    assert export_id_of(second) == first
    page = client.get(second["Location"])
    assert b"already being prepared" in page.content
    with tenant_context(world.a.pk):
        assert ExportJob.objects.filter(requested_by=world.channel_manager).count() == 1
    # Other filters are another export; once written, the same one may be asked again.
    assert export_id_of(_ask(client, world, q="Q")) != first
    write(world.a, first)
    assert export_id_of(_ask(client, world, q="P")) != first


@pytest.mark.worker
def test_two_requests_at_the_same_moment_make_one_export(celery_worker, tx_world):
    """(The worker writes the one export, so nothing is left running when the
    test's tables are emptied.)"""
    w = tx_world

    def ask():
        with tenant_context(w.a.pk):
            membership = Membership.objects.get(pk=w.channel_manager.pk)
            job, _created = export_request(
                by=membership, kind="partners", filters=PartnerFilters(text="same")
            )
            return job.pk

    outcomes = run_together(ask, ask)
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert outcomes[0] == outcomes[1]
    with tenant_context(w.a.pk):
        assert ExportJob.objects.filter(filters__text="same").count() == 1
    wait_for(lambda: _job(w, outcomes[0]).status == "done", timeout=60)


def test_a_written_export_is_not_written_again(client, world):
    client.force_login(world.channel_manager.user)
    export_id = export_id_of(_ask(client, world))
    first = write(world.a, export_id)
    assert first.status == "done" and first.rows_written == 2
    assert write(world.a, export_id) is None  # the same message delivered twice
    assert _job(world, export_id).file.name == first.file.name


def test_only_the_person_who_asked_sees_and_downloads_it(client, world):
    client.force_login(world.channel_manager.user)
    export_id = export_id_of(_ask(client, world))
    write(world.a, export_id)
    client.force_login(world.vendor_admin.user)
    for name in ("export_detail", "export_download"):
        assert client.get(_url(world, name, export_id=export_id)).status_code == 404
    listed = client.get(_url(world, "exports")).context["jobs"]
    assert export_id not in [job.pk for job in listed]
    client.force_login(world.p_admin.user)
    assert client.get(_url(world, "exports")).status_code == 403
    assert client.post(_url(world, "registrations_export")).status_code == 403


def test_partner_people_may_not_ask_for_exports(world):
    with tenant_context(world.a.pk), pytest.raises(NotAllowed):
        export_request(by=world.p_admin, kind="partners", filters=PartnerFilters())


def test_the_export_button_only_posts(client, world):
    client.force_login(world.channel_manager.user)
    assert client.get(_url(world, "partners_export")).status_code == 405
    assert client.get(_url(world, "registrations_export")).status_code == 405


def test_an_export_whose_owner_lost_access_fails_with_a_reason(client, world):
    client.force_login(world.channel_manager.user)
    export_id = export_id_of(_ask(client, world))
    with tenant_context(world.a.pk):
        Membership.objects.filter(pk=world.channel_manager.pk).update(is_active=False)
    job = write(world.a, export_id)
    assert job.status == "failed" and "no longer" in job.error
    assert not job.file


@pytest.fixture
def broken_kind():
    def broken_rows(rows):
        yield ["fine"]
        raise RuntimeError("the disk is on fire")

    export_register(
        ExportKind(
            name="test-broken",
            title="Broken list",
            filename="broken",
            policy=can_export_lists,
            filters=PartnerFilters,
            header=["name"],
            select=lambda membership, filters: Partner.objects.all(),
            rows=broken_rows,
        )
    )
    yield "test-broken"
    exports._KINDS.pop("test-broken")


def test_an_export_that_breaks_fails_cleanly_and_says_so(client, world, broken_kind):
    with tenant_context(world.a.pk):
        job, _ = export_request(
            by=world.channel_manager, kind=broken_kind, filters=PartnerFilters()
        )
    written = write(world.a, job.pk)
    assert written.status == "failed" and "could not be written" in written.error
    client.force_login(world.channel_manager.user)
    page = client.get(_url(world, "export_detail", export_id=job.pk))
    assert page.status_code == 200 and b"could not be written" in page.content
    assert client.get(_url(world, "export_download", export_id=job.pk)).status_code == 404


def test_old_exports_and_their_files_are_deleted(client, world):
    client.force_login(world.channel_manager.user)
    old_id = export_id_of(_ask(client, world, q="old"))
    new_id = export_id_of(_ask(client, world, q="new"))
    old_file = write(world.a, old_id).file.name
    write(world.a, new_id)
    with tenant_context(world.a.pk):
        ExportJob.objects.filter(pk=old_id).update(created_at=timezone.now() - timedelta(days=8))
        assert exports_purge() >= 1
        assert not ExportJob.objects.filter(pk=old_id).exists()
        assert ExportJob.objects.filter(pk=new_id).exists()
    assert not default_storage.exists(old_file)
    with tenant_context(world.b.pk):
        assert ExportJob.objects.exists()  # B's exports are B's business


@pytest.mark.worker
def test_a_real_worker_writes_the_export(celery_worker, tx_world, client):
    w = tx_world
    client.force_login(w.channel_manager.user)
    with tenant_context(w.a.pk):
        Partner.objects.bulk_create(
            Partner(name=f"Bulk {i:04d}", partner_type=PartnerType.MSP) for i in range(300)
        )
    export_id = export_id_of(_ask(client, w, partner_type=PartnerType.MSP))
    wait_for(lambda: _job(w, export_id).status == "done", timeout=60)
    lines = download(client, w.a, export_id).splitlines()
    assert len(lines) == 1 + 301  # header, the 300 and Partner Q


def test_filters_that_do_not_validate_are_left_out_not_refused(client, world):
    client.force_login(world.channel_manager.user)
    export_id = export_id_of(
        _ask(client, world, tier="not-a-number", status="nonsense", q="x" * 5000)
    )
    job = _job(world, export_id)
    assert (job.filters["tier_id"], job.filters["status"]) == (None, "")
    assert write(world.a, export_id).status == "done"
    reg_url = _url(world, "registrations_export")
    response = client.post(f"{reg_url}?created_from=yesterday&partner=abc&product=-1")
    job = _job(world, export_id_of(response))
    assert (job.filters["created_from"], job.filters["partner_id"]) == (None, None)
    assert write(world.a, job.pk).status == "done"
