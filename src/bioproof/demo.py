"""Demo data: the founding members, domestic suppliers, users, products, and one evaluation
taken all the way to a public track record — every write through the actions."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from bioproof.catalog import actions as catalog
from bioproof.catalog.models import Category
from bioproof.consortium import actions as consortium
from bioproof.consortium.models import Organization, User
from bioproof.evaluations import actions as evaluations
from bioproof.evaluations.samples import DEMO_RUNS, fed_batch_csv

PASSWORD = "demo-pass-2026"

K = Organization.Kind
FOUNDING = [
    (
        "koreabio",
        "한국바이오협회",
        "Korea Biotechnology Industry Organization (KoreaBIO)",
        K.ASSOCIATION,
    ),
    (
        "keit",
        "한국산업기술기획평가원",
        "Korea Evaluation Institute of Industrial Technology (KEIT)",
        K.AGENCY,
    ),
    ("celltrion", "셀트리온", "Celltrion", K.DEMAND),
    ("samsung-biologics", "삼성바이오로직스", "Samsung Biologics", K.DEMAND),
    ("samsung-bioepis", "삼성바이오에피스", "Samsung Bioepis", K.DEMAND),
    (
        "kribb",
        "한국생명공학연구원",
        "Korea Research Institute of Bioscience and Biotechnology (KRIBB)",
        K.UNIVERSITY,
    ),
    ("kbiohealth", "케이바이오헬스케어", "KBIOHealth", K.AGENCY),
    ("yonsei-knibrt", "연세대학교 K-NIBRT", "Yonsei University K-NIBRT", K.UNIVERSITY),
    ("acc-center", "동물세포 실증지원센터", "Animal Cell Culture Demonstration Center", K.CENTER),
    ("mf-center", "미생물 실증지원센터", "Microbial Fermentation Demonstration Center", K.CENTER),
]
SUPPLIERS = [
    ("hanbit-bio", "한빛바이오소재", "Hanbit BioMaterials"),
    ("cheongram-resin", "청람레진텍", "Cheongram ResinTech"),
    ("seum-filtration", "세움필트레이션", "Seum Filtration"),
    ("narae-su", "나래싱글유즈", "Narae Single-Use"),
]
USERS = [
    # username, org, roles, first, last
    ("hanbit.admin", "hanbit-bio", ["org_admin"], "Jiwoo", "Kim"),
    ("hanbit.staff", "hanbit-bio", ["staff"], "Minseo", "Lee"),
    ("cheongram.admin", "cheongram-resin", ["org_admin"], "Hyunwoo", "Park"),
    ("seum.admin", "seum-filtration", ["org_admin"], "Seoyeon", "Choi"),
    ("narae.admin", "narae-su", ["org_admin"], "Dohyun", "Jung"),
    ("acc.evaluator", "acc-center", ["staff", "evaluator"], "Yuna", "Kang"),
    ("acc.reviewer", "acc-center", ["reviewer"], "Taeyang", "Cho"),
    ("acc.approver", "acc-center", ["approver"], "Eunji", "Yoon"),
    ("mf.evaluator", "mf-center", ["staff", "evaluator"], "Junho", "Lim"),
    ("celltrion.user", "celltrion", ["staff"], "Sora", "Han"),
    ("koreabio.office", "koreabio", ["viewer"], "Hana", "Shin"),
]
PRODUCTS = [
    # supplier, category, ko, en, model, specs, listed
    (
        "hanbit-bio",
        "media",
        "한빛 CHO 화학조성 배지 HB-CD1",
        "Hanbit CHO CD Medium HB-CD1",
        "HB-CD1",
        {
            "cell_line": "CHO-K1 / CHO-S",
            "format": "powder",
            "chemically_defined": "yes",
            "animal_origin_free": "yes",
        },
        True,
    ),
    (
        "hanbit-bio",
        "feeds",
        "한빛 CHO 피드 HB-F2",
        "Hanbit CHO Feed HB-F2",
        "HB-F2",
        {"format": "liquid"},
        True,
    ),
    (
        "hanbit-bio",
        "media",
        "한빛 HEK293 배지 (개발중)",
        "Hanbit HEK293 Medium (in development)",
        "HB-H1",
        {"cell_line": "HEK293", "format": "liquid"},
        False,
    ),
    (
        "cheongram-resin",
        "resins",
        "청람 Protein A 레진 CR-PA50",
        "Cheongram Protein A Resin CR-PA50",
        "CR-PA50",
        {"ligand": "alkali-stable Protein A", "mode": "affinity", "particle_size": 50, "dbc10": 70},
        True,
    ),
    (
        "cheongram-resin",
        "resins",
        "청람 양이온교환 레진 CR-S85",
        "Cheongram Cation Exchange CR-S85",
        "CR-S85",
        {"ligand": "sulfopropyl", "mode": "ion-exchange", "particle_size": 85},
        False,
    ),
    (
        "seum-filtration",
        "filters",
        "세움 제균 필터 0.2 µm SF-220",
        "Seum Sterile Filter 0.2 µm SF-220",
        "SF-220",
        {"filter_type": "sterile", "pore_size": 0.2, "area": 0.1, "membrane": "PES"},
        True,
    ),
    (
        "seum-filtration",
        "filters",
        "세움 바이러스 필터 SV-20",
        "Seum Virus Filter SV-20",
        "SV-20",
        {"filter_type": "virus", "pore_size": 0.02, "area": 0.01},
        True,
    ),
    (
        "narae-su",
        "single-use-bags",
        "나래 2D 일회용 백 50 L",
        "Narae 2D Single-Use Bag 50 L",
        "NS-2D50",
        {"volume": 50, "contact_layer": "ULDPE", "sterilization": "gamma"},
        True,
    ),
]


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    users: list[tuple[str, str, str]]


#: The parts loaded after the essentials (organizations, every account, the products), in
#: dependency order: each part uses the rows of the parts before it.
PARTS: tuple[str, ...] = (
    "evaluation",
    "demand",
    "training",
    "facilities",
    "production",
    "programme",
)
#: The job kind that loads one part in the background (``load(background=True)``).
PART_JOB = "demo.load_part"


@dataclass
class _Context:
    orgs: dict[str, Organization]
    users: dict[str, User]
    products: dict[str, Any]
    password_hash: str


def load(*, defer_search: bool = False, background: bool = False) -> DemoSummary:
    """Create the demo data once; a second call changes nothing.

    The demo password is hashed once and that hash is given to every demo account; signatures
    know it is that password's hash (``signatures.remembered_passwords``): PBKDF2 runs once
    instead of once per account and per signature. ``defer_search``: index nothing while
    loading and queue one ``search.reindex`` job for the worker instead (same index, built
    beside the server rather than before it).

    ``background``: load only the essentials (organizations, every demo account, the products:
    the printed logins work at once) and queue the :data:`PARTS` as jobs for the worker, one
    after the other, each in its own transaction (SQLite has one writer: a login waits for one
    part at most); the last one queues the search rebuild (implies ``defer_search``)."""
    from bioproof.core.signatures import remembered_passwords
    from bioproof.search import index as search_index

    with remembered_passwords():
        if background:
            with search_index.deferred(), transaction.atomic():
                logins = _logins()
                context = _essentials()
                if context is None:
                    return DemoSummary(False, logins)
                # committed with the essentials: never essentials without the rest queued
                _queue_part(0)
                transaction.on_commit(lambda: loading_marker().touch())
            return DemoSummary(True, logins)
        if not defer_search:
            return _load()
        with search_index.deferred():
            summary = _load()
        if summary.created:
            _queue_reindex()
        return summary


def _queue_reindex() -> None:
    from bioproof.core import jobs
    from bioproof.search import jobs as _search_jobs  # noqa: F401 — registers the job

    jobs.enqueue("search.reindex", by=None, key="search.reindex")


def _queue_part(index: int) -> None:
    from bioproof.core import jobs

    jobs.enqueue(PART_JOB, by=None, key=f"{PART_JOB}.{index}", part=index)


def loading_marker() -> Path:
    """Present from a background load's start until a page finds no part left: pages ask the
    job table only while it exists (every other page pays one ``stat``, not a query)."""
    return Path(settings.VAR_DIR) / "demo-loading"


def loading() -> tuple[int, int] | None:
    """While the demo loads in the background: (parts loaded, parts in all); else ``None``."""
    from bioproof.jobs.models import JobRun

    marker = loading_marker()
    if not marker.exists():
        return None
    active = (JobRun.Status.QUEUED, JobRun.Status.RUNNING)
    pending = (
        JobRun.objects.filter(kind=PART_JOB, status__in=active)
        .order_by("created_at")
        .values_list("arguments", flat=True)
        .first()
    )
    if pending is None:
        marker.unlink(missing_ok=True)
        return None
    return int(pending.get("part", 0)), len(PARTS)


def load_part(index: int) -> None:
    """Load part ``index`` of :data:`PARTS` (the caller's transaction), then queue the next one
    (or the search rebuild after the last). Runs in the worker (job ``demo.load_part``)."""
    from bioproof.core.signatures import remember_verified, remembered_passwords
    from bioproof.search import index as search_index

    admin = User.objects.get(username="admin")
    with remembered_passwords(), search_index.deferred():
        # one PBKDF2 for the part: the accounts share the demo password's hash
        if admin.check_password(PASSWORD):
            remember_verified(admin.password, PASSWORD)
        context = _Context(
            orgs={o.code: o for o in Organization.objects.all()},
            users={u.username: u for u in User.objects.all()},
            products=_products(),
            password_hash=admin.password,
        )
        _part(PARTS[index], context)
    if index + 1 < len(PARTS):
        _queue_part(index + 1)
    else:
        _queue_reindex()


def _products() -> dict[str, Any]:
    from bioproof.catalog.models import Product

    wanted = {(supplier, model) for supplier, _c, _k, _e, model, *_ in PRODUCTS}
    return {
        p.model_number: p
        for p in Product.objects.select_related("supplier").order_by("pk")
        if (p.supplier.code, p.model_number) in wanted
    }


def _logins() -> list[tuple[str, str, str]]:
    unique = {u: (u, org, ", ".join(r)) for u, org, r, *_ in USERS + _module_users()}
    return [*unique.values(), ("admin", "—", "superuser")]


def _module_users() -> list[tuple[Any, ...]]:
    from bioproof.demand.demo import DEMAND_USERS
    from bioproof.facilities.demo import FACILITIES_USERS
    from bioproof.production.demo import PRODUCTION_USERS
    from bioproof.programme.demo import PROGRAMME_USERS
    from bioproof.training.demo import TRAINING_USERS

    return DEMAND_USERS + TRAINING_USERS + FACILITIES_USERS + PRODUCTION_USERS + PROGRAMME_USERS


@transaction.atomic
def _load() -> DemoSummary:
    logins = _logins()
    context = _essentials()
    if context is None:
        return DemoSummary(False, logins)
    for name in PARTS:
        _part(name, context)
    return DemoSummary(True, logins)


def _essentials() -> _Context | None:
    """Organizations, every demo account and the products; ``None`` when already there."""
    if Organization.objects.filter(code="koreabio").exists():
        return None
    orgs: dict[str, Organization] = {}
    for code, ko, en, kind in FOUNDING:
        orgs[code] = consortium.create_organization(
            by=None,
            code=code,
            name_ko=ko,
            name_en=en,
            kind=kind,
            is_consortium_member=True,
            is_founding_member=True,
        )
    for code, ko, en in SUPPLIERS:
        orgs[code] = consortium.create_organization(
            by=None, code=code, name_ko=ko, name_en=en, kind=K.SUPPLIER
        )
    from django.contrib.auth.hashers import make_password

    from bioproof.core.signatures import remember_verified

    password_hash = make_password(PASSWORD)
    remember_verified(password_hash, PASSWORD)
    admin = User.objects.create_superuser("admin", "admin@bioproof.local", None)
    admin.password = password_hash
    admin.save(update_fields=["password"])
    users: dict[str, User] = {}
    # every part's accounts too (the parts skip the ones that exist), so that every login
    # printed works before the parts are loaded
    for u, o, r, f, last in USERS + _module_users():
        if u in users:
            continue
        users[u] = consortium.create_user(
            by=None,
            username=u,
            password=PASSWORD,
            password_hash=password_hash,
            organization=orgs[o],
            roles=r,
            first_name=f,
            last_name=last,
        )
    categories = {c.code: c for c in Category.objects.all()}
    products = {}
    for supplier, cat, ko, en, model, specs, listed in PRODUCTS:
        admin = next(users[u] for u, o, *_ in USERS if o == supplier)
        products[model] = catalog.register_product(
            by=admin,
            supplier=orgs[supplier],
            category=categories[cat],
            name_ko=ko,
            name_en=en,
            model_number=model,
            specs=specs,
            listed=listed,
            description=f"{en} — demo product of {orgs[supplier].name_en}.",
        )
    return _Context(orgs, users, products, password_hash)


def _part(name: str, context: _Context) -> None:
    orgs, users, products = context.orgs, context.users, context.products
    password_hash = context.password_hash
    if name == "evaluation":
        _evaluation_part(orgs, users, products)
    elif name == "demand":
        # Demand companies, needs, proposals, adoptions, evaluations in every state and more
        # published track records.
        from bioproof.demand import demo as demand_demo

        demand_demo.load(orgs, users, products, PASSWORD, password_hash=password_hash)
    elif name == "training":
        # Training: providers, the course catalogue, sessions past and future, certificates.
        from bioproof.training import demo as training_demo

        training_demo.load(orgs, users, PASSWORD, password_hash=password_hash)
    elif name == "facilities":
        # Center services: equipment, rates, bookings, a project from request to invoice.
        from bioproof.facilities import demo as facilities_demo

        facilities_demo.load(orgs, users, PASSWORD, password_hash=password_hash)
    elif name == "production":
        # mRNA production: the microbial center's MBR, specification, a released clinical lot.
        from bioproof.production import demo as production_demo

        for note in production_demo.load(orgs, users, PASSWORD, password_hash=password_hash):
            logging.getLogger("bioproof.demo").warning("%s", note)
    elif name == "programme":
        # Programme: targets and core items, declared use and adoptions, investment pledges.
        from bioproof.programme import demo as programme_demo

        programme_demo.load(orgs, users, PASSWORD, password_hash=password_hash)
    else:
        raise ValueError(f"unknown demo part {name!r}")


def _evaluation_part(
    orgs: dict[str, Organization], users: dict[str, User], products: dict[str, Any]
) -> None:
    # One evaluation all the way to a public track record.
    staff, evaluator = users["hanbit.staff"], users["acc.evaluator"]
    ev = evaluations.request_evaluation(
        by=staff,
        product=products["HB-CD1"],
        center=orgs["acc-center"],
        title="HB-CD1 vs. incumbent CD medium, 50 L fed-batch (mAb)",
        reference_product="Imported CD CHO medium (incumbent)",
        scale="50 L single-use STR",
        process_context="CHO-K1 (IgG1 mAb), fed-batch, 14 d, 36.5 °C, pH 7.0",
        titer_margin=0.10,
    )
    evaluations.accept(by=evaluator, evaluation=ev)
    evaluations.sign_protocol(by=users["acc.approver"], evaluation=ev, password=PASSWORD)
    for arm, label, params in DEMO_RUNS:
        run = evaluations.add_run(
            by=evaluator,
            evaluation=ev,
            arm=arm,
            label=label,
            batch_id=f"ACC-26-{label}",
            equipment="SUB 50 L #2",
        )
        evaluations.upload_run_data(
            by=evaluator, run=run, filename=f"{label}.csv", data=fed_batch_csv(**params)
        )
    evaluations.record_deviation(
        by=evaluator,
        evaluation=ev,
        description="R-2 day-7 sample analysed 3 h late (stored at 4 °C).",
    )
    evaluations.analyse(by=evaluator, evaluation=ev)
    for username, meaning in (
        ("acc.evaluator", "authored"),
        ("acc.reviewer", "reviewed"),
        ("acc.approver", "approved"),
    ):
        evaluations.sign(by=users[username], evaluation=ev, meaning=meaning, password=PASSWORD)
    evaluations.generate_report(
        by=evaluator, evaluation=ev, language="ko", verify_url="http://127.0.0.1:8000/verify/"
    )
    evaluations.publish(by=users["hanbit.admin"], evaluation=ev, consent=True)

    # A second one waiting for the center, to try the workflow by hand.
    ev2 = evaluations.request_evaluation(
        by=users["cheongram.admin"],
        product=products["CR-PA50"],
        center=orgs["acc-center"],
        title="CR-PA50 Protein A capture, 1 cm column",
        reference_product="Imported Protein A resin",
        scale="1.6 cm × 20 cm column",
        process_context="mAb capture from clarified CHO harvest",
    )
    assert ev2.status == "requested"
