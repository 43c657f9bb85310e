"""Evaluations of other product families through their templates and data layouts."""

from __future__ import annotations

import pytest

from bioproof.catalog import actions as catalog
from bioproof.catalog.models import Category
from bioproof.core.errors import DomainError
from bioproof.evaluations import actions, reporting
from bioproof.evaluations.samples import RESIN_PARAMETERS, RESIN_RUNS, breakthrough_csv

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def resin_evaluation(people, orgs):
    resin = catalog.register_product(
        by=people["a_staff"],
        supplier=orgs["supplier_a"],
        category=Category.objects.get(code="resins"),
        name_ko="알파 프로틴 A 레진",
        name_en="Alpha Protein A resin",
        specs={"mode": "affinity", "particle_size": 50},
    )
    ev = actions.request_evaluation(
        by=people["a_staff"],
        product=resin,
        center=orgs["center"],
        title="Resin DBC",
        reference_product="Imported Protein A",
        scale="1 mL column",
        titer_margin=None,
    )
    actions.accept(by=people["evaluator"], evaluation=ev)
    actions.sign_protocol(by=people["approver"], evaluation=ev, password=PASSWORD)
    return ev


def test_resin_template_layout_and_parameters(resin_evaluation, people) -> None:
    ev = resin_evaluation
    assert ev.template.code == "resin-dbc"
    assert ev.protocol.plan["template"]["layouts"] == ["breakthrough"]
    with pytest.raises(DomainError, match="column_volume"):
        actions.add_run(
            by=people["evaluator"],
            evaluation=ev,
            arm="candidate",
            label="X",
            parameters={"feed_concentration": 2},
        )
    with pytest.raises(DomainError, match="not used"):
        actions.add_run(
            by=people["evaluator"],
            evaluation=ev,
            arm="candidate",
            label="X",
            parameters={**RESIN_PARAMETERS, "filter_area": 1},
        )


def test_resin_dbc_non_inferiority(resin_evaluation, people) -> None:
    ev = resin_evaluation
    for arm, label, params in RESIN_RUNS:
        run = actions.add_run(
            by=people["evaluator"], evaluation=ev, arm=arm, label=label, parameters=RESIN_PARAMETERS
        )
        actions.upload_run_data(
            by=people["evaluator"],
            run=run,
            filename=f"{label}.csv",
            data=breakthrough_csv(**params),
            layout="breakthrough",
        )
    actions.analyse(by=people["evaluator"], evaluation=ev)
    dbc = {r.label: r.kpis["dbc"] for r in ev.runs.all()}
    # the sample generator builds each curve so that DBC10 is the given value
    assert dbc["C-1"] == pytest.approx(62.0, rel=0.02)
    assert dbc["R-2"] == pytest.approx(59.5, rel=0.02)
    criterion = ev.criteria.get(kpi="dbc")
    assert criterion.comparison == "non_inferiority" and criterion.passed is True
    comparison, result = reporting.criterion_text(criterion, "en")
    assert "non-inferiority" in comparison and "bound" in result
    for who, meaning in (
        ("evaluator", "authored"),
        ("reviewer", "reviewed"),
        ("approver", "approved"),
    ):
        actions.sign(by=people[who], evaluation=ev, meaning=meaning, password=PASSWORD)
    report = actions.generate_report(by=people["evaluator"], evaluation=ev, language="en")
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(report.file.read()))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "resin-dbc v1" in text and "Breakthrough curve" in text  # protocol and curve figure
    assert sum(len(page.images) for page in reader.pages) >= 1  # the breakthrough figure


def test_wrong_layout_file_is_refused(resin_evaluation, people) -> None:
    from bioproof.evaluations.samples import fed_batch_csv

    run = actions.add_run(
        by=people["evaluator"],
        evaluation=resin_evaluation,
        arm="candidate",
        label="C-1",
        parameters=RESIN_PARAMETERS,
    )
    with pytest.raises(DomainError, match="row 1"):
        actions.upload_run_data(
            by=people["evaluator"],
            run=run,
            filename="c1.csv",
            data=fed_batch_csv(),
            layout="breakthrough",
        )
    with pytest.raises(DomainError, match="Unknown data layout"):
        actions.upload_run_data(
            by=people["evaluator"], run=run, filename="c1.csv", data=fed_batch_csv(), layout="nope"
        )


def test_curve_plot_served(client, resin_evaluation, people) -> None:
    ev = resin_evaluation
    run = actions.add_run(
        by=people["evaluator"],
        evaluation=ev,
        arm="candidate",
        label="C-1",
        parameters=RESIN_PARAMETERS,
    )
    actions.upload_run_data(
        by=people["evaluator"],
        run=run,
        filename="c1.csv",
        data=breakthrough_csv(),
        layout="breakthrough",
    )
    client.force_login(people["evaluator"])
    response = client.get(f"/evaluations/{ev.code}/curves/breakthrough.svg")
    assert response.status_code == 200 and b"<svg" in response.content
    page = client.get(f"/evaluations/{ev.code}/").content.decode()
    assert "curves/breakthrough.svg" in page and 'name="param_column_volume"' in page
    client.force_login(people["b_admin"])
    assert client.get(f"/evaluations/{ev.code}/curves/breakthrough.svg").status_code == 404


def test_protocol_refuses_criteria_its_data_cannot_give(people, orgs) -> None:
    resin = catalog.register_product(
        by=people["a_staff"],
        supplier=orgs["supplier_a"],
        category=Category.objects.get(code="resins"),
        name_ko="레진",
        name_en="Resin",
    )
    ev = actions.request_evaluation(
        by=people["a_staff"],
        product=resin,
        center=orgs["center"],
        title="t",
        reference_product="r",
        scale="s",
    )  # keeps the default titer criterion
    actions.accept(by=people["evaluator"], evaluation=ev)
    with pytest.raises(DomainError, match="final_titer"):
        actions.sign_protocol(by=people["approver"], evaluation=ev, password=PASSWORD)
    titer = ev.criteria.get(kpi="final_titer")
    actions.remove_criterion(by=people["evaluator"], criterion=titer, reason="not a culture")
    actions.sign_protocol(by=people["approver"], evaluation=ev, password=PASSWORD)
    assert ev.status == "running"
