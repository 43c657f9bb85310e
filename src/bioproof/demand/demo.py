"""Demo data for the value chain around the first track record: demand companies (a CDMO and a
biosimilar maker next to Celltrion) with their people, needs, proposals in every state, a
demand-tailored evaluation, adoptions, evaluations in every state of the workflow and several
published track records — a living programme. Every write goes through the actions; the data
stay small (a few dozen rows) so the demo starts fast."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from bioproof.catalog.models import Category, Product
from bioproof.consortium import actions as consortium
from bioproof.consortium.models import Organization, User
from bioproof.demand import actions as demand
from bioproof.evaluations import actions as evaluations
from bioproof.evaluations.models import Evaluation
from bioproof.evaluations.samples import DEMO_RUNS, fed_batch_csv

#: the demand companies' people (username, organization, roles, first, last)
DEMAND_USERS = [
    ("celltrion.admin", "celltrion", ["org_admin", "staff"], "Jihoon", "Seo"),
    ("sbl.admin", "samsung-biologics", ["org_admin", "staff"], "Yerin", "Oh"),
    ("sbl.staff", "samsung-biologics", ["staff"], "Kyungmin", "Baek"),
    ("bioepis.admin", "samsung-bioepis", ["org_admin", "staff"], "Nari", "Song"),
]


def _user(users: dict[str, User], name: str) -> User:
    return users.get(name) or User.objects.get(username=name)


def _with_data(
    ev: Evaluation, users: dict[str, User], password: str, *, prefix: str, runs: int = 6
) -> Evaluation:
    """Accept, sign the protocol, create the protocol's runs in one step and upload data for the
    first ``runs`` of them."""
    evaluator, approver = users["acc.evaluator"], users["acc.approver"]
    evaluations.accept(by=evaluator, evaluation=ev)
    evaluations.sign_protocol(by=approver, evaluation=ev, password=password)
    ev.refresh_from_db()
    made = evaluations.add_runs_from_protocol(
        by=evaluator, evaluation=ev, batch_prefix=f"{prefix}-", equipment="SUB 50 L #1"
    )
    params = {"candidate": [p for a, _, p in DEMO_RUNS if a == "candidate"]}
    params["reference"] = [p for a, _, p in DEMO_RUNS if a == "reference"]
    for i, run in enumerate(made[:runs]):
        series = params[run.arm]
        evaluations.upload_run_data(
            by=evaluator,
            run=run,
            filename=f"{prefix}-{run.label}.csv",
            data=fed_batch_csv(**series[i % len(series)]),
        )
    return ev


def _signed(ev: Evaluation, users: dict[str, User], password: str, upto: str) -> Evaluation:
    evaluations.analyse(by=users["acc.evaluator"], evaluation=ev)
    for username, meaning in (
        ("acc.evaluator", "authored"),
        ("acc.reviewer", "reviewed"),
        ("acc.approver", "approved"),
    ):
        evaluations.sign(by=users[username], evaluation=ev, meaning=meaning, password=password)
        if meaning == upto:
            break
    return ev


def load(
    orgs: dict[str, Organization],
    users: dict[str, User],
    products: dict[str, Product],
    password: str,
    password_hash: str = "",
) -> None:
    """The programme around the demo's first track record (see the module docstring)."""
    for username, org, roles, first, last in DEMAND_USERS:
        if username in users:  # made with the demo's essentials
            continue
        users[username] = consortium.create_user(
            by=None,
            username=username,
            password=password,
            password_hash=password_hash,
            organization=orgs[org],
            roles=roles,
            first_name=first,
            last_name=last,
        )
    categories = {c.code: c for c in Category.objects.all()}
    today = timezone.localdate()
    hanbit, cheongram = users["hanbit.admin"], users["cheongram.admin"]
    seum, narae = users["seum.admin"], users["narae.admin"]

    # --- needs of three demand companies
    celltrion_need = demand.post_need(
        by=users["celltrion.admin"],
        organization=orgs["celltrion"],
        title="국산 CHO 화학조성 배지 (바이오시밀러 mAb 2,000 L 유가배양)",
        category=categories["media"],
        incumbent="Imported CD CHO medium",
        description="Replace the imported basal medium of a biosimilar mAb process.",
        organism="CHO-K1",
        scale="2,000 L SUB",
        mode="fed_batch",
        required_specs=[
            {"key": "chemically_defined", "comparison": "equals", "value": "yes"},
            {"key": "format", "comparison": "equals", "value": "powder"},
        ],
        criteria=[
            {"kpi": "final_titer", "comparison": "non_inferiority", "value": 10, "unit": "%"},
            {"kpi": "peak_vcd", "comparison": "minimum", "value": 10, "unit": "1e6 cells/mL"},
        ],
        yearly_volume=20000,
        volume_unit="L",
        deadline=today + dt.timedelta(days=120),
        visibility="public",
    )
    cdmo_need = demand.post_need(
        by=users["sbl.admin"],
        organization=orgs["samsung-biologics"],
        title="Alkali-stable Protein A resin for multi-product CDMO capture",
        category=categories["resins"],
        incumbent="Imported Protein A resin",
        organism="CHO",
        scale="60 cm column",
        criteria=[{"kpi": "dbc", "comparison": "non_inferiority", "value": 10, "unit": "%"}],
        yearly_volume=400,
        volume_unit="L",
        deadline=today + dt.timedelta(days=200),
        visibility="consortium",
    )
    bioepis_need = demand.post_need(
        by=users["bioepis.admin"],
        organization=orgs["samsung-bioepis"],
        title="0.2 µm sterile filter for biosimilar drug substance",
        category=categories["filters"],
        incumbent="Imported PES sterile filter",
        scale="10 inch capsules",
        yearly_volume=3000,
        volume_unit="ea",
        visibility="consortium",
    )
    bag_need = demand.post_need(
        by=users["sbl.staff"],
        organization=orgs["samsung-biologics"],
        title="50 L 2D bags for media and buffer hold",
        category=categories["single-use-bags"],
        incumbent="Imported 2D bag",
        visibility="private",
    )

    # --- proposals in every state
    accepted = demand.submit_proposal(
        by=hanbit,
        need=celltrion_need,
        product=products["HB-CD1"],
        message="HB-CD1 passed a 50 L fed-batch demonstration (track record published).",
    )
    demand.accept_proposal(by=users["celltrion.admin"], proposal=accepted)
    demand.submit_proposal(
        by=cheongram,
        need=cdmo_need,
        product=products["CR-PA50"],
        message="0.5 M NaOH stable; 70 g/L DBC at 4 min residence time.",
    )
    declined = demand.submit_proposal(by=seum, need=bioepis_need, product=products["SF-220"])
    demand.decline_proposal(
        by=users["bioepis.admin"],
        proposal=declined,
        reason="The 0.1 m² size only; we need 10 inch capsules.",
    )
    invited = demand.invite_supplier(
        by=users["sbl.staff"],
        need=bag_need,
        product=products["NS-2D50"],
        message="Please propose your 50 L bag with its extractables data.",
    )
    demand.attach_to_proposal(
        by=narae,
        proposal=invited,
        kind="sds",
        title="NS-2D50 film safety data sheet",
        filename="NS-2D50-SDS.txt",
        data="NS-2D50 ULDPE contact layer — safety data sheet (demo)\n".encode(),
    )

    # --- a demand-tailored evaluation of the accepted proposal, published with both consents
    tailored = demand.request_tailored_evaluation(
        by=users["celltrion.admin"],
        proposal=accepted,
        center=orgs["acc-center"],
        title="HB-CD1 in Celltrion's biosimilar mAb process (demand-tailored)",
        scale="50 L single-use STR",
        process_context="CHO-K1 biosimilar mAb, fed-batch 14 d",
    )
    _with_data(tailored, users, password, prefix="CT")
    _signed(tailored, users, password, upto="approved")
    evaluations.generate_report(
        by=users["acc.evaluator"],
        evaluation=tailored,
        language="ko",
        verify_url="http://127.0.0.1:8000/verify/",
    )
    evaluations.consent_demand(by=users["celltrion.admin"], evaluation=tailored, consent=True)
    evaluations.publish(by=hanbit, evaluation=tailored, consent=True)

    # --- a third track record: the feed
    feed = evaluations.request_evaluation(
        by=users["hanbit.staff"],
        product=products["HB-F2"],
        center=orgs["acc-center"],
        title="HB-F2 feed vs. incumbent feed, 50 L fed-batch",
        reference_product="Imported CHO feed",
        scale="50 L single-use STR",
        process_context="CHO-K1 (IgG1), fed-batch 14 d",
        titer_margin=0.10,
    )
    _with_data(feed, users, password, prefix="FD")
    _signed(feed, users, password, upto="approved")
    evaluations.generate_report(
        by=users["acc.evaluator"],
        evaluation=feed,
        language="en",
        verify_url="http://127.0.0.1:8000/verify/",
    )
    evaluations.publish(by=hanbit, evaluation=feed, consent=True)

    # --- adoptions backed by the track records
    demand.record_adoption(
        by=users["celltrion.admin"],
        organization=orgs["celltrion"],
        product=products["HB-CD1"],
        adopted_on=today - dt.timedelta(days=10),
        yearly_volume=20000,
        volume_unit="L",
        need=celltrion_need,
        evaluation=tailored,
        note="Qualified for the biosimilar mAb line after the demand-tailored evaluation.",
    )
    demand.record_adoption(
        by=users["sbl.admin"],
        organization=orgs["samsung-biologics"],
        product=products["HB-F2"],
        adopted_on=today - dt.timedelta(days=3),
        yearly_volume=5000,
        volume_unit="L",
        evaluation=feed,
    )

    # --- evaluations waiting at each step of the workflow (one per state)
    def request(title: str, product: str = "HB-CD1", by: str = "hanbit.staff") -> Evaluation:
        return evaluations.request_evaluation(
            by=_user(users, by),
            product=products[product],
            center=orgs["acc-center"],
            title=title,
            reference_product="Imported CD CHO medium",
            scale="3 L glass STR",
            process_context="CHO-K1, fed-batch 14 d",
            titer_margin=0.10,
        )

    asked = request("HB-CD1 in a perfusion process (questions open)")
    evaluations.attach(
        by=users["hanbit.staff"],
        evaluation=asked,
        kind="coa",
        title="HB-CD1 lot 2611 certificate of analysis",
        filename="HB-CD1-2611-CoA.txt",
        data=b"HB-CD1 lot 2611: osmolality 300 mOsm/kg, endotoxin < 0.5 EU/mL (demo)\n",
    )
    evaluations.request_info(
        by=users["acc.evaluator"],
        evaluation=asked,
        reason="Which perfusion rate (VVD) and which cell-retention device?",
    )
    rejected = request("HB-H1 HEK293 transient expression", product="HB-H1")
    evaluations.reject(
        by=users["acc.evaluator"],
        evaluation=rejected,
        reason="HEK293 transient expression is outside this center's scope.",
    )
    withdrawn = request("HB-CD1 at 200 L (to be re-planned)")
    evaluations.withdraw_request(
        by=users["hanbit.staff"], evaluation=withdrawn, reason="Moved to next quarter."
    )
    planning = request("HB-F2 with a lower feed rate")
    evaluations.accept(by=users["acc.evaluator"], evaluation=planning)
    running = request("HB-CD1 lot-to-lot consistency (runs in progress)")
    _with_data(running, users, password, prefix="LT", runs=3)
    analysed = request("HB-CD1 at 36.0 °C (analysed, to be signed)")
    _with_data(analysed, users, password, prefix="T36")
    evaluations.analyse(by=users["acc.evaluator"], evaluation=analysed)
    authored = request("HB-F2 bolus feeding (awaiting review)", product="HB-F2")
    _with_data(authored, users, password, prefix="BF")
    _signed(authored, users, password, upto="authored")
    reviewed = request("HB-CD1 seed train (awaiting approval)")
    _with_data(reviewed, users, password, prefix="ST")
    _signed(reviewed, users, password, upto="reviewed")
    reworked = request("HB-CD1 high-density inoculum (returned for rework)")
    _with_data(reworked, users, password, prefix="HD")
    _signed(reworked, users, password, upto="authored")
    evaluations.return_for_rework(
        by=users["acc.reviewer"],
        evaluation=reworked,
        reason="Record the inoculum density of each run before signing again.",
    )
    approved = request("HB-F2 at 3 L (approved, report to issue)", product="HB-F2")
    _with_data(approved, users, password, prefix="AP")
    _signed(approved, users, password, upto="approved")
