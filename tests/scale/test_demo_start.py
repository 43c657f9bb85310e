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
