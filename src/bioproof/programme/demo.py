"""Demo data of the programme dashboard: the targets and core items (version 1), demand
companies' declared use of imported items and their adoptions of domestic products (so the
localisation rate has something to measure), and investment pledges with executions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bioproof.catalog.models import Category, Product
from bioproof.consortium import actions as consortium
from bioproof.consortium.models import Organization, User
from bioproof.demand import actions as demand
from bioproof.programme import actions

PROGRAMME_USERS = [
    # username, org, roles, first, last
    ("sbl.staff", "samsung-biologics", ["staff"], "Jisoo", "Oh"),
    ("epis.staff", "samsung-bioepis", ["staff"], "Minji", "Seo"),
]
CORE_ITEMS = [
    # code, ko, en, category, unit, target %
    ("media", "세포배양 배지", "Cell culture media", "media", "L", 20),
    ("resins", "크로마토그래피 레진", "Chromatography resins", "resins", "L", 15),
    ("filters", "필터", "Filters", "filters", "m^2", 15),
    ("single-use-bags", "일회용 백", "Single-use bags", "single-use-bags", "units", 20),
]
TARGETS = [
    ("investment_krw", 2026, 4.0e12),
    ("investment_krw", 2028, 10.0e12),
    ("investment_krw", 2030, 17.7e12),
    ("localisation_pct", 2026, 8),
    ("localisation_pct", 2028, 12),
    ("localisation_pct", 2030, 20),
    ("track_records", 2026, 5),
    ("track_records", 2030, 60),
    ("adoptions", 2026, 5),
    ("adoptions", 2030, 50),
    ("trainees_passed", 2026, 10),
    ("trainees_passed", 2030, 2000),
]
# demand user, category, incumbent, yearly volume, unit, yearly value (KRW)
NEEDS = [
    ("celltrion.user", "media", "Imported CHO CD medium", 60000, "L", 3_600_000_000),
    ("sbl.staff", "media", "Imported CHO feed medium", 120000, "L", 6_000_000_000),
    ("epis.staff", "resins", "Imported Protein A resin", 400, "L", 8_000_000_000),
    ("sbl.staff", "filters", "Imported sterile filter capsules", 900, "m^2", 1_800_000_000),
    ("celltrion.user", "single-use-bags", "Imported 2D bags", 20000, "units", 2_400_000_000),
]
# demand user, product model, adopted on, yearly volume, unit, value (KRW), need index
ADOPTIONS = [
    ("celltrion.user", "HB-CD1", dt.date(2025, 9, 15), 9000, "L", 450_000_000, 0),
    ("sbl.staff", "HB-CD1", dt.date(2026, 3, 2), 18000, "L", 810_000_000, 1),
    ("epis.staff", "CR-PA50", dt.date(2026, 5, 20), 40, "L", 640_000_000, 2),
    ("sbl.staff", "SF-220", dt.date(2025, 11, 3), 0.00012, "km^2", 150_000_000, 3),
    ("celltrion.user", "NS-2D50", dt.date(2026, 7, 1), 3000, "units", 300_000_000, 4),
]
# org, kind, amount, year, site, category, pledge index (executions)
PLEDGES = [
    ("celltrion", "pledge", 1_500_000_000_000, 2028, "송도 3공장", "facility", None),
    (
        "samsung-biologics",
        "pledge",
        7_500_000_000_000,
        2032,
        "송도 바이오캠퍼스 2",
        "facility",
        None,
    ),
    ("samsung-bioepis", "pledge", 300_000_000_000, 2027, "인천 R&D 센터", "rnd", None),
    ("celltrion", "execution", 420_000_000_000, 2025, "송도 3공장", "facility", 0),
    ("samsung-biologics", "execution", 2_100_000_000_000, 2025, "송도 5공장", "facility", 1),
    ("samsung-biologics", "execution", 1_300_000_000_000, 2026, "송도 5공장", "facility", 1),
    ("samsung-bioepis", "execution", 90_000_000_000, 2026, "인천 R&D 센터", "rnd", 2),
]


def load(
    orgs: dict[str, Organization], users: dict[str, User], password: str, password_hash: str = ""
) -> list[tuple]:
    """Create the programme demo; returns the extra logins (username, org, roles)."""
    for u, o, r, f, last in PROGRAMME_USERS:
        if u in users:  # made by another part of the demo
            continue
        users[u] = consortium.create_user(
            by=None,
            username=u,
            password=password,
            password_hash=password_hash,
            organization=orgs[o],
            roles=r,
            first_name=f,
            last_name=last,
        )
    office = User.objects.get(username="admin")
    actions.publish_targets(
        by=office,
        reason="2030 bio-manufacturing 소부장 strategy: first target list",
        items=[
            {
                "code": code,
                "name_ko": ko,
                "name_en": en,
                "category": cat,
                "volume_unit": unit,
                "target_share_pct": pct,
                "target_year": 2030,
            }
            for code, ko, en, cat, unit, pct in CORE_ITEMS
        ],
        targets=[{"indicator": i, "year": y, "value": v} for i, y, v in TARGETS],
    )
    categories = {c.code: c for c in Category.objects.all()}
    needs = []
    for user, cat, incumbent, volume, unit, value in NEEDS:
        who = users[user]
        needs.append(
            demand.post_need(
                by=who,
                organization=who.primary_organization,
                title=f"{categories[cat].name_en}: domestic alternative to {incumbent}",
                category=categories[cat],
                incumbent=incumbent,
                yearly_volume=volume,
                volume_unit=unit,
                yearly_value_krw=value,
            )
        )
    for user, model, day, volume, unit, value, need in ADOPTIONS:
        who = users[user]
        demand.record_adoption(
            by=who,
            organization=who.primary_organization,
            product=Product.objects.get(model_number=model),
            adopted_on=day,
            yearly_volume=volume,
            volume_unit=unit,
            yearly_value_krw=value,
            need=needs[need],
        )
    pledges: list[Any] = []
    for org, kind, amount, year, site, category, index in PLEDGES:
        member = next(u for u in users.values() if u.primary_organization == orgs[org])
        row = actions.record_pledge(
            by=member,
            organization=orgs[org],
            kind=kind,
            amount_krw=amount,
            year=year,
            site=site,
            category=category,
            pledge=pledges[index] if index is not None else None,
            evidence=[
                (
                    f"{org}-{kind}-{year}.txt",
                    f"{orgs[org].name_en}: {kind} of {amount:,} KRW ({year}, {site})".encode(),
                )
            ],
        )
        pledges.append(row)
    from bioproof.programme import snapshots

    snapshots.refresh()  # the dashboard's first page reads it instead of computing
    return [(u, o, ", ".join(r)) for u, o, r, *_ in PROGRAMME_USERS]
