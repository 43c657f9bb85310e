"""Confidentiality over the role × organization matrix: the customer and the facility see the
order, its sequence and its batch; another company, another center and anonymous see nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from bioproof.production import actions
from bioproof.production.models import (
    Batch,
    BatchStep,
    CapaAction,
    Construct,
    Deviation,
    MasterRecipe,
    MBRVersion,
    Order,
    Specification,
    SpecVersion,
    TestResult,
)

from .conftest import execute_all

SEES_ALL = ["cust", "cust_signer", "op1", "qa", "other_center"]  # other_center is staff of center2
SEES_NOTHING = ["b_admin", "a_staff", "evaluator", "approver", "demand_other"]


@pytest.fixture
def world(batch: Batch, pp, lot, ready, spec):
    execute_all(batch, pp, lot, {"LIN-01": {"temp": "39 degC"}})
    sample = actions.draw_sample(by=pp["op1"], batch=batch, spec_version=spec, stage="DS")
    entered = actions.enter_result(
        by=pp["op1"], sample=sample, test_key="capping", value=95, unit="%"
    )
    dev = Deviation.objects.get(batch=batch)
    actions.classify_deviation(by=pp["qa"], deviation=dev, classification="minor")
    import datetime as dt

    from django.utils import timezone

    actions.add_capa(
        by=pp["op1"],
        deviation=dev,
        kind="corrective",
        description="Recalibrate",
        owner=pp["op1"],
        due_on=timezone.localdate() + dt.timedelta(days=5),
    )
    return {"batch": batch, "result": entered}


def _counts(user) -> dict[str, int]:
    return {
        "order": Order.objects.visible_to(user).count(),
        "construct": Construct.objects.visible_to(user).count(),
        "batch": Batch.objects.visible_to(user).count(),
        "step": BatchStep.objects.visible_to(user).count(),
        "deviation": Deviation.objects.visible_to(user).count(),
        "result": TestResult.objects.visible_to(user).count(),
        "capa": CapaAction.objects.visible_to(user).count(),
        "mbr": MBRVersion.objects.visible_to(user).count()
        + MasterRecipe.objects.visible_to(user).count(),
        "spec": SpecVersion.objects.visible_to(user).count()
        + Specification.objects.visible_to(user).count(),
    }


def test_matrix(world, pp) -> None:
    from bioproof.consortium import actions as consortium

    from .conftest import PASSWORD

    pp["demand_other"] = consortium.create_user(
        by=None,
        username="outsider",
        password=PASSWORD,
        organization=pp["b_admin"].primary_organization,
        roles=["staff"],
    )
    facility = _counts(pp["op1"])
    assert facility == {
        "order": 1,
        "construct": 1,
        "batch": 1,
        "step": 4,
        "deviation": 1,
        "result": 1,
        "capa": 1,
        "mbr": 2,
        "spec": 2,
    }
    customer = _counts(pp["cust"])
    # the customer sees its order, sequence, batch and deviations, not unverified results, CAPA,
    # the facility's MBR or specification
    assert customer == {
        "order": 1,
        "construct": 1,
        "batch": 1,
        "step": 4,
        "deviation": 1,
        "result": 0,
        "capa": 0,
        "mbr": 0,
        "spec": 0,
    }
    for name in SEES_NOTHING:
        assert set(_counts(pp[name]).values()) == {0}, name
    assert set(_counts(AnonymousUser()).values()) == {0}
    assert set(_counts(None).values()) == {0}


def test_customer_sees_result_once_verified(world, pp) -> None:
    from .conftest import PASSWORD

    actions.verify_result(by=pp["op2"], result=world["result"], password=PASSWORD)
    assert TestResult.objects.visible_to(pp["cust"]).count() == 1
    assert TestResult.objects.visible_to(pp["b_admin"]).count() == 0
