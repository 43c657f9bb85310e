"""Online time series, off-gas and QC results layouts, end to end through the evaluation."""

from __future__ import annotations

import pytest

from bioproof.analysis.gas import MOLAR_VOLUME_NORMAL
from bioproof.catalog import actions as catalog
from bioproof.catalog.models import Category
from bioproof.core.errors import DomainError
from bioproof.evaluations import actions
from bioproof.evaluations.models import MethodTemplate
from bioproof.evaluations.samples import offgas_csv, online_csv, qc_csv

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _evaluation(people, orgs, category: str, template: str):
    product = catalog.register_product(
        by=people["a_staff"],
        supplier=orgs["supplier_a"],
        category=Category.objects.get(code=category),
        name_ko="후보",
        name_en="Candidate",
    )
    ev = actions.request_evaluation(
        by=people["a_staff"],
        product=product,
        center=orgs["center"],
        title=template,
        reference_product="Imported",
        scale="10 L",
        titer_margin=None,
    )
    actions.accept(
        by=people["evaluator"],
        evaluation=ev,
        template=MethodTemplate.objects.current().get(code=template),
    )
    actions.sign_protocol(by=people["approver"], evaluation=ev, password=PASSWORD)
    return ev


def _upload(people, ev, arm, label, files, parameters=None) -> None:
    run = actions.add_run(
        by=people["evaluator"], evaluation=ev, arm=arm, label=label, parameters=parameters
    )
    for layout, data in files.items():
        actions.upload_run_data(
            by=people["evaluator"],
            run=run,
            filename=f"{label}-{layout}.csv",
            data=data,
            layout=layout,
        )


def _sign_all(people, ev) -> None:
    for who, meaning in (
        ("evaluator", "authored"),
        ("reviewer", "reviewed"),
        ("approver", "approved"),
    ):
        actions.sign(by=people[who], evaluation=ev, meaning=meaning, password=PASSWORD)


def test_fermenter_respiration_and_control(client, people, orgs) -> None:
    ev = _evaluation(people, orgs, "fermenters", "fermenter-respiration")
    assert ev.protocol.plan["template"]["layouts"] == ["offgas", "online"]
    for i, arm in enumerate(["candidate"] * 3 + ["reference"] * 3):
        _upload(
            people,
            ev,
            arm,
            f"{arm[0].upper()}-{i}",
            {"offgas": offgas_csv(peak_drop=1.0 + 0.01 * i), "online": online_csv(seed=i)},
            # the mass flow meter's normal conditions: 0 °C, 101.325 kPa
            {"gas_reference_temperature": 0.0},
        )
    actions.analyse(by=people["evaluator"], evaluation=ev)
    run = ev.runs.get(label="C-0")
    # O2 drop 1.00 point, CO2 rise 0.95 point at the end; 60/22.414·1000 mmol/(L·h) per fraction
    inert_ratio = (1 - 0.2095 - 0.0004) / (1 - 0.1995 - 0.0099)
    our = 60 / MOLAR_VOLUME_NORMAL * 1000 * (0.2095 - 0.1995 * inert_ratio)
    assert run.kpis["peak_our"] == pytest.approx(our, rel=1e-6)
    # CO2 rises 0.95 × the O2 drop, but the inert-gas correction lowers RQ: at the end
    # CER/OUR = (0.0099·r − 0.0004)/(0.2095 − 0.1995·r) = 0.9376 with r = 0.7901/0.7906
    assert run.kpis["rq_cumulative"] == pytest.approx(0.9376, abs=0.005)
    # two hourly DO dips to 20 % of 48 h are out of the ±10 % band
    assert run.kpis["do_in_band"] == pytest.approx(100 * 46 / 48)
    verdicts = {c.kpi: c.passed for c in ev.criteria.all()}
    assert verdicts == {"peak_our": True, "rq_cumulative": True, "do_in_band": True}
    client.force_login(people["evaluator"])
    for layout in ("offgas", "online"):
        svg = client.get(f"/evaluations/{ev.code}/curves/{layout}.svg")
        assert svg.status_code == 200 and b"<svg" in svg.content
    for layout in ("offgas", "online", "qc"):
        assert client.get(f"/evaluations/layouts/{layout}.xlsx").status_code == 200
    _sign_all(people, ev)
    report = actions.generate_report(by=people["evaluator"], evaluation=ev, language="en")
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(report.file).pages)
    assert "Off-gas analysis" in text and "Online time series" in text  # the curve figures


def test_sensor_loop_control_minimum(people, orgs) -> None:
    ev = _evaluation(people, orgs, "sensors", "sensor-loop-control")
    for i in range(3):
        _upload(people, ev, "candidate", f"C-{i}", {"online": online_csv(seed=i, do_dips=8)})
        _upload(people, ev, "reference", f"R-{i}", {"online": online_csv(seed=10 + i)})
    actions.analyse(by=people["evaluator"], evaluation=ev)
    do = ev.criteria.get(kpi="do_in_band")
    # 8 of 48 h out of band → 83.3 % < the 90 % minimum in every candidate run
    assert do.passed is False and do.result["failing_runs"] == 3
    assert ev.criteria.get(kpi="ph_in_band").passed is True


def test_media_lot_qc(people, orgs) -> None:
    ev = _evaluation(people, orgs, "media", "media-lot-qc")
    _upload(people, ev, "candidate", "LOT-1", {"qc": qc_csv()})
    _upload(people, ev, "candidate", "LOT-2", {"qc": qc_csv()})
    _upload(people, ev, "candidate", "LOT-3", {"qc": qc_csv(ph="7.46")})  # 7.5 after rounding
    _upload(people, ev, "reference", "REF-1", {"qc": qc_csv()})
    actions.analyse(by=people["evaluator"], evaluation=ev)
    _sign_all(people, ev)
    report = actions.generate_report(by=people["evaluator"], evaluation=ev, language="ko")
    assert report.file.read(5) == b"%PDF-"
    assert ev.runs.get(label="LOT-1").kpis["n_oos"] == 0
    assert ev.runs.get(label="LOT-3").kpis["n_oos"] == 1
    assert "pH" in ev.runs.get(label="LOT-3").kpis["caveats"][0]
    criterion = ev.criteria.get(kpi="n_oos")
    assert criterion.passed is False and criterion.result["failing_runs"] == 1


@pytest.mark.parametrize(
    ("layout", "data", "message"),
    [
        ("online", b"Time [h],Stirrer [rpm]\n0,100\n1,100\n", "no pH, DO or temperature"),
        ("online", b"Time [h],pH\n0,7.0\n1,15\n", "row 3"),
        (
            "offgas",
            b"Time [h],Gas flow [L/min],Volume [L],O2 in [%]\n0,1,1,20\n1,1,1,20\n",
            "co2_in",
        ),
        (
            "offgas",
            b"Time [h],Gas flow [L/min],Volume [L],O2 in [%],CO2 in [%],O2 out [%],"
            b"CO2 out [%]\n0,1,1,20.95,0.04,20.9,abc\n1,1,1,20.95,0.04,20.9,0.1\n",
            "abc",
        ),
        ("qc", b"Test,Result\npH,7.1\n", "specification"),
    ],
)
def test_bad_process_files_name_the_problem(people, orgs, layout, data, message) -> None:
    template = {"online": "sensor-loop-control", "offgas": "fermenter-respiration"}.get(
        layout, "media-lot-qc"
    )
    category = {"online": "sensors", "offgas": "fermenters"}.get(layout, "media")
    ev = _evaluation(people, orgs, category, template)
    run = actions.add_run(
        by=people["evaluator"],
        evaluation=ev,
        arm="candidate",
        label="C-1",
        parameters={"gas_reference_temperature": 20.0} if layout == "offgas" else None,
    )
    with pytest.raises(DomainError, match=message):
        actions.upload_run_data(
            by=people["evaluator"], run=run, filename="bad.csv", data=data, layout=layout
        )
    assert not run.data_files.exists()


def test_qc_file_with_a_test_twice_names_run_and_row(people, orgs) -> None:
    ev = _evaluation(people, orgs, "media", "media-lot-qc")
    twice = b"Test,Result,Specification\npH,7.1,7.0-7.4\npH,7.2,7.0-7.4\n"
    _upload(people, ev, "candidate", "LOT-1", {"qc": twice})
    with pytest.raises(DomainError, match=r"LOT-1: .*row 3.*appears twice"):
        actions.analyse(by=people["evaluator"], evaluation=ev)
