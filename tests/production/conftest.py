"""Fixtures of production: the microbial center as the mRNA facility (center2), a demand company
as the customer, an MBR and a specification approved by QA, an accepted order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from bioproof.consortium import actions as consortium
from bioproof.consortium.models import Organization, User
from bioproof.production import actions
from bioproof.production.models import Batch, MBRVersion, Order, SpecVersion

from ..conftest import PASSWORD

__all__ = ["PASSWORD"]

UTR5 = "GGGAGACCCAAGCTGGCTAGCGTTTAAACTTAAGCTTGCCACC"
CODONS = ["GCC", "GAG", "AAG", "CTG", "GTG", "ACC", "TCC", "CGC", "GGC", "CAG"]
UTR3 = "GCTGGAGCCTCGGTGGCCTAGCTTCTTGCCCCTTGGGCCTCC"


def template(
    *,
    codons: int = 150,
    polya: int = 100,
    tail: str = "TCTAGAGCGGCCGC",
    orf: str | None = None,
    utr5: str = UTR5,
    utr3: str = UTR3,
) -> str:
    body = orf or ("ATG" + "".join(CODONS[i % len(CODONS)] for i in range(codons)) + "TAA")
    return utr5 + body + utr3 + "A" * polya + tail


def fasta(seq: str, name: str = "spike-test") -> bytes:
    lines = [seq[i : i + 70] for i in range(0, len(seq), 70)]
    return (f">{name}\n" + "\n".join(lines) + "\n").encode()


LIPIDS = {"ionizable": 50, "helper": 10, "cholesterol": 38.5, "peg": 1.5}

PROCEDURE = {
    "unit_procedures": [
        {
            "name": "Template linearization",
            "operations": [
                {
                    "name": "Digest",
                    "steps": [
                        {
                            "key": "LIN-01",
                            "instruction": "Digest plasmid with XbaI",
                            "parameters": [
                                {
                                    "key": "temp",
                                    "name": "Temperature",
                                    "unit": "degC",
                                    "target": 37,
                                    "low": 36,
                                    "high": 38,
                                    "cpp": True,
                                }
                            ],
                        },
                    ],
                }
            ],
        },
        {
            "name": "IVT",
            "operations": [
                {
                    "name": "Transcription",
                    "steps": [
                        {
                            "key": "IVT-01",
                            "instruction": "Run IVT",
                            "critical": True,
                            "equipment_class": "ivt-reactor",
                            "materials": ["NTP mix"],
                            "parameters": [
                                {
                                    "key": "temp",
                                    "name": "Temperature",
                                    "unit": "degC",
                                    "target": 37,
                                    "low": 36,
                                    "high": 38,
                                    "cpp": True,
                                },
                                {
                                    "key": "time",
                                    "name": "Time",
                                    "unit": "h",
                                    "target": 2,
                                    "low": 1.5,
                                    "high": 3,
                                },
                            ],
                            "ipc": [
                                {
                                    "key": "yield",
                                    "name": "Yield",
                                    "unit": "mg/mL",
                                    "low": 4,
                                    "high": 12,
                                }
                            ],
                        },
                    ],
                }
            ],
        },
        {
            "name": "Purification",
            "operations": [
                {
                    "name": "TFF",
                    "steps": [
                        {
                            "key": "PUR-01",
                            "instruction": "Diafilter",
                            "parameters": [
                                {
                                    "key": "cond",
                                    "name": "Conductivity",
                                    "unit": "mS/cm",
                                    "low": 0,
                                    "high": 2,
                                }
                            ],
                        },
                    ],
                }
            ],
        },
        {
            "name": "Fill",
            "operations": [
                {
                    "name": "Fill",
                    "steps": [
                        {
                            "key": "FILL-01",
                            "instruction": "Fill vials",
                            "ipc": [
                                {
                                    "key": "vol",
                                    "name": "Fill volume",
                                    "unit": "mL",
                                    "low": 0.45,
                                    "high": 0.55,
                                }
                            ],
                        },
                    ],
                }
            ],
        },
    ]
}
BOM = [{"material": "NTP mix", "quantity": 10, "unit": "mL"}]
SPEC_TESTS = [
    {
        "key": "appearance",
        "stage": "DS",
        "name_ko": "성상",
        "name_en": "Appearance",
        "method": "Visual",
        "kind": "text",
        "expected": "Conforms",
    },
    {
        "key": "content",
        "stage": "DS",
        "name_ko": "함량",
        "name_en": "mRNA content",
        "method": "UV A260",
        "unit": "mg/mL",
        "low": 0.9,
        "high": 1.1,
        "instrument": True,
    },
    {
        "key": "capping",
        "stage": "DS",
        "name_ko": "캡핑 효율",
        "name_en": "Capping efficiency",
        "method": "LC-MS",
        "unit": "%",
        "low": 90,
    },
    {
        "key": "ee",
        "stage": "DP",
        "name_ko": "봉입률",
        "name_en": "Encapsulation efficiency",
        "method": "RiboGreen",
        "unit": "%",
        "low": 85,
    },
]


@pytest.fixture
def p_orgs(orgs: dict[str, Organization]) -> dict[str, Organization]:
    return orgs


@pytest.fixture
def pp(p_orgs: dict[str, Organization], people: dict[str, User]) -> dict[str, User]:
    def make(username: str, org: str, *roles: str) -> User:
        return consortium.create_user(
            by=None,
            username=username,
            password=PASSWORD,
            organization=p_orgs[org],
            roles=list(roles),
            first_name=username.title(),
        )

    return {
        **people,
        "op1": make("op1", "center2", "staff"),
        "op2": make("op2", "center2", "staff"),
        "qa": make("qa", "center2", "approver"),
        "cust": make("cust", "demand", "staff"),
        "cust_signer": make("cust_signer", "demand", "approver"),
    }


@pytest.fixture
def facility(p_orgs: dict[str, Organization]) -> Organization:
    return p_orgs["center2"]


@pytest.fixture
def mbr(pp: dict[str, User], facility: Organization) -> MBRVersion:
    v = actions.create_mbr(
        by=pp["op1"],
        facility=facility,
        code="MBR-MRNA-LNP",
        product="mRNA-LNP",
        batch_size=10,
        batch_unit="mL",
        procedure=PROCEDURE,
        bom=BOM,
    )
    return actions.approve_mbr(by=pp["qa"], version=v, password=PASSWORD)


@pytest.fixture
def spec(pp: dict[str, User], facility: Organization) -> SpecVersion:
    v = actions.create_spec(
        by=pp["op1"], facility=facility, code="SPEC-MRNA-LNP", product="mRNA-LNP", tests=SPEC_TESTS
    )
    return actions.approve_spec(by=pp["qa"], version=v, password=PASSWORD)


@pytest.fixture
def order(pp: dict[str, User], p_orgs: dict[str, Organization]) -> Order:
    o = actions.create_order(
        by=pp["cust"],
        customer=p_orgs["demand"],
        facility=p_orgs["center2"],
        title="Spike mRNA-LNP",
        grade="gmp_clinical",
        deliverables=["CoA", "vials"],
        needed_by=timezone.localdate() + dt.timedelta(days=60),
    )
    actions.add_construct(
        by=pp["cust"],
        order=o,
        name="spike",
        filename="spike.fasta",
        data=fasta(template()),
        enzyme="XbaI",
        quantity_mg=5,
        formulation="lnp",
        lipids=LIPIDS,
    )
    return o


@pytest.fixture
def accepted(order: Order, pp: dict[str, User]) -> Order:
    actions.submit_order(by=pp["cust"], order=order)
    actions.quote_order(by=pp["op1"], order=order, amount_krw=50_000_000, lead_days=60)
    return actions.accept_quote(by=pp["cust_signer"], order=order, password=PASSWORD)


@pytest.fixture
def ready(monkeypatch: Any) -> Callable[..., None]:
    """Pretend the facilities registry says every instrument is usable (records the calls)."""
    calls: list[tuple[str, bool]] = []

    def fake(code: str, *, at: Any, gmp: bool, user: Any = None) -> tuple[list[str], bool]:
        calls.append((code, gmp))
        return [], True

    monkeypatch.setattr("bioproof.production.readiness.equipment_problems", fake)
    return calls  # type: ignore[return-value]


@pytest.fixture
def lot(pp: dict[str, User], facility: Organization) -> Any:
    return actions.receive_lot(
        by=pp["op1"], facility=facility, material="NTP mix", lot="NTP-001", quantity=100, unit="mL"
    )


@pytest.fixture
def batch(accepted: Order, mbr: MBRVersion, pp: dict[str, User]) -> Batch:
    return actions.start_batch(
        by=pp["op1"],
        order=accepted,
        construct=accepted.constructs.get(),
        mbr_version=mbr,
        batch_size=20,
    )


GOOD = {
    "LIN-01": {"temp": "37 degC"},
    "IVT-01": {"temp": "37 °C", "time": "120 min", "yield": "6 mg/mL"},
    "PUR-01": {"cond": "1.2 mS/cm"},
    "FILL-01": {"vol": "0.5 mL"},
}


def execute_all(batch: Batch, pp: dict[str, User], lot: Any, values: dict | None = None) -> None:
    values = {**GOOD, **(values or {})}
    for step in batch.steps.order_by("seq"):
        kwargs: dict[str, Any] = {}
        if step.definition.get("equipment_class"):
            kwargs["equipment_code"] = "MF-IVT-01"
        if step.definition.get("materials"):
            kwargs["materials"] = [{"lot": lot, "quantity": 20, "unit": "mL"}]
        actions.record_step(by=pp["op1"], step=step, values=values[step.key], **kwargs)
        if step.critical:
            actions.verify_step(by=pp["op2"], step=step, password=PASSWORD)
