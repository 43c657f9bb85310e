"""The training fixtures (a passed enrollment with its certificate) for the certificate package;
a run of a running evaluation for the instrument imports."""

from typing import Any

import pytest

from bioproof.evaluations import actions as evaluations
from tests.conftest import PASSWORD
from tests.training.conftest import (  # noqa: F401 (fixtures)
    course,
    make_session,
    passed,
    provider,
    t_orgs,
    today_session,
    tp,
)


@pytest.fixture
def run(people: dict[str, Any], requested: Any) -> Any:
    """Run C1 (candidate) of the accepted evaluation whose protocol is signed: editable."""
    evaluations.accept(by=people["evaluator"], evaluation=requested)
    evaluations.sign_protocol(by=people["approver"], evaluation=requested, password=PASSWORD)
    return evaluations.add_run(
        by=people["evaluator"], evaluation=requested, arm="candidate", label="C1", batch_id="B1"
    )
