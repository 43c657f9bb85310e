"""The demo starts fast: the demo password is hashed once for every account and never re-hashed
by a signature; with ``--defer-search`` the index is rebuilt by one queued job, to the same
documents as indexing while loading."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from bioproof import demo
from bioproof.search.models import SearchDocument

pytestmark = pytest.mark.django_db


FIELDS = [
    f.attname for f in SearchDocument._meta.concrete_fields if f.name not in ("id", "updated_at")
]


def _documents() -> list[tuple]:
    return sorted(SearchDocument.objects.values_list(*FIELDS))


@pytest.fixture
def count_pbkdf2(settings, monkeypatch) -> list[int]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    calls = [0]
    original = PBKDF2PasswordHasher.encode

    def counting(self, password, salt, iterations=None):
        calls[0] += 1
        return original(self, password, salt, iterations)

    monkeypatch.setattr(PBKDF2PasswordHasher, "encode", counting)
    return calls


def test_demo_hashes_its_password_once(count_pbkdf2) -> None:
    from bioproof.search import index

    summary = demo.load()
    assert summary.created
    assert count_pbkdf2[0] == 1  # one hash for ~20 accounts and every demo signature
    users = get_user_model().objects.exclude(password="")
    assert users.count() >= 14
    assert users.filter(is_superuser=True).exists()
    for user in users.order_by("username")[:3]:
        assert user.check_password(demo.PASSWORD)
    assert not users[0].check_password("not-the-demo-pass")
    # indexing while loading builds what a rebuild (the deferred job) builds
    incremental = _documents()
    assert len(incremental) >= 9
    index.rebuild()
    assert _documents() == incremental
    assert demo.load().created is False


def test_deferred_search_queues_one_rebuild(settings) -> None:
    from bioproof.jobs.models import JobRun

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert demo.load(defer_search=True).created
    assert SearchDocument.objects.count() == 0  # nothing indexed while loading
    assert list(JobRun.objects.values_list("kind", "status")) == [("search.reindex", "queued")]


def test_seeding_hash_is_for_the_system_only(people, orgs) -> None:
    from django.contrib.auth.hashers import make_password

    from bioproof.consortium import actions
    from bioproof.core.errors import PolicyDenied

    with pytest.raises(PolicyDenied):
        actions.create_user(
            by=people["a_admin"],
            username="seeded",
            password="a-long-enough-pass-2026",
            password_hash=make_password("a-long-enough-pass-2026"),
            organization=orgs["supplier_a"],
            roles=["viewer"],
        )
    with pytest.raises(ValueError):
        actions.create_user(
            by=None,
            username="seeded",
            password="a-long-enough-pass-2026",
            password_hash="a-long-enough-pass-2026",  # a raw password is not a hash
            organization=orgs["supplier_a"],
            roles=["viewer"],
        )


def _row_counts() -> dict[str, int]:
    from django.apps import apps

    return {m._meta.label: m._base_manager.count() for m in apps.get_models()}


def _run_queued_parts() -> int:
    from bioproof.core import jobs
    from bioproof.jobs.models import JobRun

    ran = 0
    while run := JobRun.objects.filter(kind=demo.PART_JOB, status="queued").first():
        assert jobs.execute(str(run.pk), str(run.token)) == "succeeded", run.arguments
        ran += 1
    return ran


@pytest.mark.slow
def test_background_load_serves_accounts_first_then_the_same_demo(
    settings, client, tmp_path, django_capture_on_commit_callbacks
) -> None:
    from django.db import transaction

    from bioproof.jobs.models import JobRun

    # what the synchronous load writes (rolled back)
    with transaction.atomic():
        assert demo.load().created
        expected = _row_counts()
        transaction.set_rollback(True)

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.VAR_DIR = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        summary = demo.load(background=True)
    assert demo.loading_marker().exists()
    assert summary.created
    # every printed login works before the parts are loaded
    users = get_user_model().objects.in_bulk([u for u, *_ in summary.users], field_name="username")
    assert set(users) == {u for u, *_ in summary.users}
    assert users["mf.qa"].check_password(demo.PASSWORD)
    assert demo.loading() == (0, len(demo.PARTS))
    assert SearchDocument.objects.count() == 0
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Demo data are still loading (0 of {len(demo.PARTS)} parts)" in page
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert f"데모 데이터를 아직 불러오는 중입니다 ({len(demo.PARTS)}개 중 0개 완료)" in page

    assert _run_queued_parts() == len(demo.PARTS)  # each queued by the one before it
    assert demo.loading() is None
    assert not demo.loading_marker().exists()  # the first page to find no part left removed it
    assert 'id="demo-loading"' not in client.get("/").content.decode()
    from bioproof.core import jobs

    reindex = JobRun.objects.get(kind="search.reindex", status="queued")
    assert jobs.execute(str(reindex.pk), str(reindex.token)) == "succeeded"
    counts = _row_counts()
    # checkpoints are written on commit: the essentials' commit ran its callbacks here, the
    # rolled-back synchronous load's never did
    for label in ("jobs.JobRun", "django_tasks_database.DBTaskResult", "core.AuditCheckpoint"):
        counts.pop(label), expected.pop(label)
    assert counts == expected
    assert demo.load(background=True).created is False


def test_pages_ask_no_query_for_the_banner_outside_a_background_load(
    settings, tmp_path, django_assert_num_queries
) -> None:
    settings.VAR_DIR = tmp_path
    with django_assert_num_queries(0):
        assert demo.loading() is None
