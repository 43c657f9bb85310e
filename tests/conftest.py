"""Shared fixtures: a small consortium with two competing suppliers, a center and a demand company.

Fixtures build records through the actions, as the platform does, so the audit chain is real.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction
from django.utils import translation

from bioproof.catalog import actions as catalog
from bioproof.catalog.models import Category, Product
from bioproof.consortium import actions as consortium
from bioproof.consortium.models import Organization, User
from bioproof.core.signatures import discard_signing_failures
from bioproof.evaluations import actions as evaluations
from bioproof.evaluations.models import Evaluation
from bioproof.evaluations.samples import DEMO_RUNS, fed_batch_csv

PASSWORD = "s3cret-test-pass"


@pytest.fixture(scope="session")
def _platform_key(tmp_path_factory: Any) -> Any:
    return tmp_path_factory.mktemp("keys") / "platform-ed25519.pem"


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any, _platform_key: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    # The platform key and the checkpoint log live outside the database, per test here.
    settings.BIOPROOF_SIGNING_KEY_FILE = _platform_key
    settings.BIOPROOF_CHECKPOINT_LOG = tmp_path / "audit" / "checkpoints.jsonl"
    # Fast hashing for fixtures' users; production keeps Django's PBKDF2 default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Background jobs run where they are queued (no worker); tests of the worker switch to the
    # database backend themselves.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After every test that used the database, every regulated row matches its audit events.

    Checked right after the test body, before its transaction is rolled back, so a write path that
    bypasses the trail fails the test that took it. Tests that tamper on purpose are marked
    ``tampers``.
    """
    outcome = yield
    if outcome.excinfo is not None or item.get_closest_marker("tampers"):
        return
    names = getattr(item, "fixturenames", ())
    if not (item.get_closest_marker("django_db") or "db" in names or "transactional_db" in names):
        return
    from bioproof.core import verification

    problems = verification.verify_rows()
    if problems:
        outcome.force_exception(
            AssertionError(
                "regulated rows differ from their audit events:\n"
                + "\n".join(map(str, problems[:10]))
            )
        )


@pytest.fixture(autouse=True)
def _no_pending_signing_failures() -> Iterator[None]:
    """A wrong signing password noted but not written by one test never reaches the next."""
    yield
    discard_signing_failures()


@pytest.fixture(autouse=True)
def _files_commit_in_test_transaction(request: Any, monkeypatch: Any) -> None:
    """A plain ``db`` test runs inside a transaction that never commits, so the file store's
    on-commit move would never run: there, move stored files into place at once. Tests that use
    ``transactional_db`` (the file-store and race tests) keep the real on-commit behaviour."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        from bioproof.core import files

        monkeypatch.setattr(files, "schedule", lambda move: move())


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with an empty cache: counters kept there (the API's per-token rate
    limit, keyed by token id) must not carry over to the next test, whose rolled-back
    database hands out the same ids again; rendered pages kept per state version neither."""
    from django.core.cache import caches

    for store in caches.all():
        store.clear()
    yield
    for store in caches.all():
        store.clear()


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Any:
    """Action-level messages in English so tests can match them; pages keep their own language."""
    with translation.override("en"):
        yield


@pytest.fixture
def orgs(db: Any) -> dict[str, Organization]:
    K = Organization.Kind
    spec = {
        "supplier_a": ("알파바이오", "Alpha Bio", K.SUPPLIER),
        "supplier_b": ("베타소재", "Beta Materials", K.SUPPLIER),
        "center": ("동물세포 실증지원센터", "Animal Cell Center", K.CENTER),
        "center2": ("미생물 실증지원센터", "Microbial Center", K.CENTER),
        "demand": ("수요바이오", "Demand Bio", K.DEMAND),
    }
    return {
        key: consortium.create_organization(
            by=None, code=key.replace("_", "-"), name_ko=ko, name_en=en, kind=kind
        )
        for key, (ko, en, kind) in spec.items()
    }


@pytest.fixture
def make_user(orgs: dict[str, Organization]) -> Callable[..., User]:
    def make(username: str, org: str, *roles: str) -> User:
        return consortium.create_user(
            by=None,
            username=username,
            password=PASSWORD,
            organization=orgs[org],
            roles=list(roles),
            first_name=username.title(),
        )

    return make


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    return {
        "a_admin": make_user("a_admin", "supplier_a", "org_admin"),
        "a_staff": make_user("a_staff", "supplier_a", "staff"),
        "b_admin": make_user("b_admin", "supplier_b", "org_admin"),
        "evaluator": make_user("evaluator", "center", "staff", "evaluator"),
        "reviewer": make_user("reviewer", "center", "reviewer"),
        "approver": make_user("approver", "center", "approver"),
        "other_center": make_user("other_center", "center2", "staff", "evaluator"),
        "demand": make_user("demand", "demand", "staff"),
    }


@pytest.fixture
def grant(orgs: dict[str, Organization]) -> Callable[[User, str, str], Any]:
    """Give a person a role in one of ``orgs``, as the programme office does (audited)."""
    office = User.objects.create_superuser("office", "office@example.org", PASSWORD)

    def give(user: User, org: str, role: str) -> Any:
        return consortium.grant_role(
            by=office, user=user, organization=orgs[org], role=role, reason="role given"
        )

    return give


@pytest.fixture
def media_category(db: Any) -> Category:
    return Category.objects.get(code="media")


@pytest.fixture
def product_a(
    people: dict[str, User], orgs: dict[str, Organization], media_category: Category
) -> Product:
    return catalog.register_product(
        by=people["a_staff"],
        supplier=orgs["supplier_a"],
        category=media_category,
        name_ko="알파 CHO 배지",
        name_en="Alpha CHO Medium",
        specs={"format": "powder"},
    )


@pytest.fixture
def requested(
    people: dict[str, User], orgs: dict[str, Organization], product_a: Product
) -> Evaluation:
    return evaluations.request_evaluation(
        by=people["a_staff"],
        product=product_a,
        center=orgs["center"],
        title="Alpha vs incumbent",
        reference_product="Imported medium",
        scale="50 L STR",
        process_context="CHO fed-batch",
    )


@pytest.fixture
def with_data(people: dict[str, User], requested: Evaluation) -> Evaluation:
    evaluations.accept(by=people["evaluator"], evaluation=requested)
    evaluations.sign_protocol(by=people["approver"], evaluation=requested, password=PASSWORD)
    for arm, label, params in DEMO_RUNS:
        run = evaluations.add_run(
            by=people["evaluator"],
            evaluation=requested,
            arm=arm,
            label=label,
            batch_id=f"B-{label}",
        )
        evaluations.upload_run_data(
            by=people["evaluator"], run=run, filename=f"{label}.csv", data=fed_batch_csv(**params)
        )
    return requested


@pytest.fixture
def approved(people: dict[str, User], with_data: Evaluation) -> Evaluation:
    ev = evaluations.analyse(by=people["evaluator"], evaluation=with_data)
    for who, meaning in (
        ("evaluator", "authored"),
        ("reviewer", "reviewed"),
        ("approver", "approved"),
    ):
        evaluations.sign(by=people[who], evaluation=ev, meaning=meaning, password=PASSWORD)
    return ev


@pytest.fixture
def published(people: dict[str, User], approved: Evaluation) -> Evaluation:
    evaluations.generate_report(by=people["evaluator"], evaluation=approved, language="en")
    evaluations.publish(by=people["a_admin"], evaluation=approved, consent=True)
    return approved


# --- Browser tests: Playwright driving Debian's Chromium against pytest-django's live server ---

CHROMIUM = os.environ.get("BIOPROOF_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Any, live_server: Any, _reference_data: None) -> Iterator[Any]:
    """Open a page in a fresh browser context, logged in as ``username`` when given."""
    contexts = []

    def make(username: str | None = None, password: str | None = None) -> Any:
        context = browser.new_context(base_url=live_server.url, locale="ko-KR")
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        if username:
            page.goto("/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", password or "")
            page.click("main button[type=submit]")
            page.wait_for_url(f"{live_server.url}/")
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def _reference_data(transactional_db: Any) -> None:
    """Transactional tests flush the database afterwards, migration-made rows included; put the
    category tree and the method templates back for each browser test."""

    from bioproof.catalog.categories import sync as sync_categories
    from bioproof.catalog.models import Category
    from bioproof.evaluations.methods import sync as sync_templates
    from bioproof.evaluations.models import MethodTemplate

    with transaction.atomic():  # their row events are appended in a transaction
        sync_categories(Category)
        sync_templates(MethodTemplate)


@pytest.fixture
def run_worker(monkeypatch: Any) -> Callable[[], None]:
    """``bioproof worker --batch`` in this process, inside the test's transaction (the worker's
    connection housekeeping would close that transaction's connection on PostgreSQL)."""
    from django.core.management import call_command

    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    def run() -> None:
        call_command("worker", batch=True, verbosity=0)

    return run
