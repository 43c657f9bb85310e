"""Data layouts a run can carry: how each file is parsed and which KPIs come out of it.

Each layout is read by ``bioproof.analysis.io`` (units in headers, converted with pint; errors name
file, row and column) and analysed by the engine. The downloadable Excel template of a layout is
built from its ``columns``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bioproof.analysis.errors import N_, InputError
from bioproof.core.errors import DomainError


@dataclass(frozen=True)
class Param:
    """A run parameter a layout's analysis needs (entered with the run)."""

    key: str
    label_en: str
    label_ko: str
    unit: str
    default: float | None = None  # None = required


@dataclass(frozen=True)
class Layout:
    key: str
    label_en: str
    label_ko: str
    #: (header with unit, example values) — the template's columns and a worked example
    columns: tuple[tuple[str, tuple[Any, ...]], ...]
    reader: Callable[..., pd.DataFrame]
    analyser: Callable[[pd.DataFrame, dict[str, float]], dict[str, Any]]
    parameters: tuple[Param, ...] = ()
    #: (x column, y column, x label, y label) for the web and report plot
    plot: tuple[str, str, str, str] | None = None
    #: dotted paths of the engine result classes whose KPI fields this layout yields
    results: tuple[str, ...] = ()

    @property
    def produces(self) -> frozenset[str]:
        """KPI keys this layout's analysis yields."""
        import importlib

        keys: set[str] = set()
        for path in self.results:
            module, name = path.rsplit(".", 1)
            keys.update(getattr(importlib.import_module(module), name).KPI_FIELDS)
        return frozenset(keys)

    @property
    def label(self) -> str:
        return self.label_en if (get_language() or "ko").startswith("en") else self.label_ko

    def parse(self, data: bytes, filename: str) -> pd.DataFrame:
        """The file read by this layout's reader; any problem becomes a DomainError with the
        reader's message (file, row, column) in the user's language. Bounded: see the limits
        in ``bioproof.analysis.io`` (docs/operations.md)."""
        try:
            return self.reader(data, filename=filename)
        except InputError as exc:
            raise DomainError(exc.localized(_), field="file") from exc

    def kpis(
        self, frame: pd.DataFrame, parameters: dict[str, float] | None = None
    ) -> dict[str, Any]:
        values = {p.key: p.default for p in self.parameters} | dict(parameters or {})
        missing = [p.key for p in self.parameters if values.get(p.key) is None]
        if missing:
            raise InputError(
                N_("run parameter(s) %(p)s needed for %(layout)s data"),
                params={"p": ", ".join(missing), "layout": self.label_en},
            )
        return self.analyser(frame, values)


def _kpi_fields(result: Any) -> dict[str, Any]:
    """Only the KPI fields of an engine result (plus its caveats)."""
    data = result.to_dict()
    out = {k: data[k] for k in result.KPI_FIELDS if k in data}
    if data.get("caveats"):
        out.setdefault("caveats", []).extend(data["caveats"])
    return out


def _offline(frame: pd.DataFrame, _params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.kinetics import culture_kinetics

    return culture_kinetics(frame).to_dict()


def _gassing_out(frame: pd.DataFrame, params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.gas import fit_kla

    return _kpi_fields(
        fit_kla(
            frame["time"].to_numpy(), frame["do"].to_numpy(), probe_tau=params["probe_tau"] / 3600.0
        )
    )


def _mixing(frame: pd.DataFrame, params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.gas import mixing_time

    return _kpi_fields(
        mixing_time(
            frame["time"].to_numpy(),
            frame["signal"].to_numpy(),
            homogeneity=params["homogeneity"] / 100.0,
            injection_time=params["injection_time"] / 3600.0,
        )
    )


def _breakthrough(frame: pd.DataFrame, params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.chromatography import SIGNALS, breakthrough

    signal = next((s for s in SIGNALS if s in frame.columns), None)
    if signal is None:
        raise InputError(
            "a breakthrough curve needs one of the columns Concentration [g/L], C/C0 or UV [mAU]"
        )
    feed_signal = params.get("feed_absorbance") or None
    return _kpi_fields(
        breakthrough(
            frame["volume"].to_numpy(),
            frame[signal].to_numpy(),
            feed_concentration=params["feed_concentration"],
            column_volume=params["column_volume"],
            holdup=params["holdup"],
            level=params["breakthrough_level"] / 100.0,
            signal=signal,
            feed_signal=feed_signal,
            baseline_signal=params.get("baseline_absorbance") or 0.0,
        )
    )


def _filtration(frame: pd.DataFrame, params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis import filtration

    if "time" not in frame.columns or frame["time"].isna().any():
        raise InputError("a constant-pressure filtration log needs a Time column")
    t, v = frame["time"].to_numpy(), frame["volume"].to_numpy()
    area = params["filter_area"]
    return _kpi_fields(filtration.vmax(t, v, area=area)) | _kpi_fields(
        filtration.flux_decay(t, v, area=area)
    )


def _online(frame: pd.DataFrame, params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.control import SIGNALS, online_control

    signals = {s: frame[s].to_numpy() for s in SIGNALS if s in frame.columns}
    return _kpi_fields(
        online_control(
            frame["time"].to_numpy(),
            signals,
            {s: params[f"{s}_setpoint"] for s in SIGNALS},
            {s: params[f"{s}_band"] for s in SIGNALS},
        )
    )


def _offgas_columns(frame: pd.DataFrame) -> list[Any]:
    return [frame[c].to_numpy() for c in ("gas_flow", "volume")] + [
        frame[c].to_numpy() / 100.0 for c in ("o2_in", "co2_in", "o2_out", "co2_out")
    ]


_OFFGAS = ("gas_flow", "volume", "o2_in", "co2_in", "o2_out", "co2_out")


def _offgas(frame: pd.DataFrame, params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.gas import reference_molar_volume, respiration_summary

    molar_volume = reference_molar_volume(
        params["gas_reference_temperature"], params["gas_reference_pressure"]
    )
    return _kpi_fields(
        respiration_summary(
            frame["time"].to_numpy(), *_offgas_columns(frame), molar_volume=molar_volume
        )
    )


def _qc(frame: pd.DataFrame, _params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.qc import evaluate_frame

    report = evaluate_frame(frame)
    out = _kpi_fields(report)
    if report.oos_tests:
        out.setdefault("caveats", []).append("out of specification: " + ", ".join(report.oos_tests))
    return out


def read_breakthrough_signal(source: Any, *, filename: str) -> pd.DataFrame:
    """A breakthrough curve: ``volume`` [mL] with the effluent as ``concentration`` [g/L],
    ``ratio`` (C/C₀, fraction) or ``absorbance`` (UV, unit as given; needs the feed's
    absorbance as a run parameter). Exactly one of the three."""
    import dataclasses

    from bioproof.analysis import io
    from bioproof.analysis.units import ColumnSpec

    volume, concentration = io.BREAKTHROUGH_COLUMNS
    columns = (
        volume,
        dataclasses.replace(concentration, required=False),
        ColumnSpec(
            "ratio",
            "dimensionless",
            ("c/c0", "cc0", "ratio", "relativeconcentration", "c/cf", "breakthrough"),
            "-, %",
            required=False,
            unitless=True,
        ),
        ColumnSpec(
            "absorbance",
            "",
            ("uv", "a280", "absorbance", "uv280", "od280", "uvabsorbance"),
            "mAU, AU",
            required=False,
        ),
    )
    frame = io.read_table(
        source, filename=filename, columns=columns, increasing="volume", min_rows=3
    )
    present = [c for c in ("concentration", "ratio", "absorbance") if c in frame.columns]
    if len(present) != 1:
        raise InputError(
            "give the effluent as exactly one column: Concentration [g/L], C/C0 (no unit, or %) "
            "or UV [mAU]" + (f" (found {', '.join(present)})" if present else ""),
            file=filename,
            row=1,
        )
    return frame


def _sensor_agreement(frame: pd.DataFrame, _params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.sensors import sensor_agreement

    return _kpi_fields(
        sensor_agreement(
            frame["time"].to_numpy(), frame["reference"].to_numpy(), frame["sensor"].to_numpy()
        )
    )


def _sensor_step(frame: pd.DataFrame, params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.sensors import response_time

    return _kpi_fields(
        response_time(
            frame["time"].to_numpy(),
            frame["signal"].to_numpy(),
            step_time=params["step_time"] / 3600.0,
        )
    )


def _calibration(frame: pd.DataFrame, _params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.sensors import detection_limits

    return _kpi_fields(
        detection_limits(frame["concentration"].to_numpy(), frame["response"].to_numpy())
    )


def _pulse(frame: pd.DataFrame, params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.chromatography import column_efficiency

    return _kpi_fields(
        column_efficiency(
            frame["volume"].to_numpy(),
            frame["signal"].to_numpy(),
            bed_height=params["bed_height"],
            particle_diameter=params.get("particle_diameter") or None,
        )
    )


def _integrity(frame: pd.DataFrame, params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.filtration import integrity_test

    return _kpi_fields(
        integrity_test(
            frame["pressure"].to_numpy(),
            frame["gas_flow"].to_numpy(),
            test_pressure=params.get("test_pressure") or None,
        )
    )


def _permeability(frame: pd.DataFrame, params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.filtration import water_permeability

    return _kpi_fields(
        water_permeability(
            frame["tmp"].to_numpy(),
            frame["flux"].to_numpy(),
            temperature=params["water_temperature"],
        )
    )


def _registry() -> dict[str, Layout]:
    from bioproof.analysis import filtration as filtration_readers
    from bioproof.analysis import io, sensors
    from bioproof.analysis.chromatography import read_pulse as chromatography_reader

    layouts = [
        Layout(
            "offline",
            "Offline samples (cell culture)",
            "오프라인 시료 (세포배양)",
            (
                ("Time [d]", (0, 1, 2, 3)),
                ("VCD [1e6 cells/mL]", (0.5, 0.9, 1.6, 2.8)),
                ("Viability [%]", (98.5, 98.2, 97.9, 97.5)),
                ("Glucose [g/L]", (6.0, 5.8, 5.5, 5.0)),
                ("Lactate [g/L]", (0.2, 0.5, 0.9, 1.2)),
                ("Titer [mg/L]", (0, 20, 60, 130)),
            ),
            io.read_offline,
            _offline,
            results=("bioproof.analysis.kinetics.CultureKinetics",),
            plot=None,  # culture runs are drawn as time courses with the reference envelope
        ),
        Layout(
            "gassing_out",
            "Gassing-out curve (kLa)",
            "가스 치환 곡선 (kLa)",
            (
                ("Time [s]", tuple(range(0, 330, 30))),
                ("DO [%]", (0.0, 24.0, 42.0, 56.0, 66.5, 74.5, 80.6, 85.2, 88.7, 91.4, 93.4)),
            ),
            io.read_kla,
            _gassing_out,
            (Param("probe_tau", "DO probe time constant", "DO 센서 시상수", "s", 0.0),),
            plot=("time", "do", "Time (h)", "DO"),
            results=("bioproof.analysis.gas.KLaFit",),
        ),
        Layout(
            "mixing",
            "Tracer response (mixing time)",
            "추적자 응답 (혼합 시간)",
            (
                ("Time [s]", tuple(range(0, 60, 5))),
                (
                    "Conductivity [mS/cm]",
                    (1.0, 1.0, 2.9, 1.6, 1.95, 1.98, 2.02, 2.0, 2.0, 2.0, 2.0, 2.0),
                ),
            ),
            io.read_mixing,
            _mixing,
            (
                Param("homogeneity", "Homogeneity", "균일도", "%", 95.0),
                Param("injection_time", "Tracer injection time", "추적자 주입 시각", "s"),
            ),
            plot=("time", "signal", "Time (h)", "Signal"),
            results=("bioproof.analysis.gas.MixingResult",),
        ),
        Layout(
            "breakthrough",
            "Breakthrough curve (DBC)",
            "파과 곡선 (DBC)",
            (
                ("Volume [mL]", (0, 20, 40, 50, 55, 60, 65, 70, 80)),
                ("Concentration [g/L]", (0, 0, 0.0, 0.02, 0.1, 0.3, 0.7, 1.1, 1.6)),
            ),
            read_breakthrough_signal,
            _breakthrough,
            (
                Param("feed_concentration", "Feed concentration", "공급액 농도", "g/L"),
                Param("column_volume", "Column volume", "컬럼 부피", "mL"),
                Param("holdup", "System hold-up volume", "시스템 체류 부피", "mL", 0.0),
                Param("breakthrough_level", "Breakthrough level", "파과 기준", "%", 10.0),
                Param(
                    "feed_absorbance",
                    "Feed UV absorbance (for a UV curve)",
                    "공급액 UV 흡광도 (UV 곡선용)",
                    "mAU",
                    0.0,
                ),
                Param(
                    "baseline_absorbance",
                    "Baseline UV absorbance (for a UV curve)",
                    "기준선 UV 흡광도 (UV 곡선용)",
                    "mAU",
                    0.0,
                ),
            ),
            plot=("volume", "concentration", "Loaded volume (mL)", "Effluent (g/L)"),
            results=("bioproof.analysis.chromatography.Breakthrough",),
        ),
        Layout(
            "filtration",
            "Filtration log (constant pressure)",
            "여과 기록 (정압)",
            (
                ("Time [min]", tuple(range(0, 60, 5))),
                ("Volume [mL]", (0, 48, 92, 133, 171, 206, 239, 270, 299, 326, 352, 376)),
            ),
            io.read_filtration,
            _filtration,
            (Param("filter_area", "Filter area", "필터 면적", "m²"),),
            plot=("time", "t_over_v", "Time (h)", "t/V (h/L)"),
            results=(
                "bioproof.analysis.filtration.VmaxResult",
                "bioproof.analysis.filtration.FluxDecay",
            ),
        ),
        Layout(
            "online",
            "Online time series (pH, DO, temperature)",
            "온라인 시계열 (pH, DO, 온도)",
            (
                ("Time [h]", (0, 1, 2, 3, 4, 5)),
                ("pH", (7.02, 7.00, 6.98, 6.95, 6.93, 6.97)),
                ("DO [%]", (45.0, 41.0, 38.5, 40.2, 32.0, 40.5)),
                ("Temperature [°C]", (36.9, 37.0, 37.0, 37.1, 37.0, 36.9)),
            ),
            io.read_online,
            _online,
            (
                Param("ph_setpoint", "pH set-point", "pH 설정값", "-", 7.0),
                Param("ph_band", "pH tolerance (±)", "pH 허용 범위 (±)", "-", 0.1),
                Param("do_setpoint", "DO set-point", "DO 설정값", "%", 40.0),
                Param("do_band", "DO tolerance (±)", "DO 허용 범위 (±)", "%", 10.0),
                Param("temperature_setpoint", "Temperature set-point", "온도 설정값", "°C", 37.0),
                Param(
                    "temperature_band", "Temperature tolerance (±)", "온도 허용 범위 (±)", "°C", 0.5
                ),
            ),
            plot=("time", "do", "Time (h)", "DO (%)"),
            results=("bioproof.analysis.control.OnlineControl",),
        ),
        Layout(
            "offgas",
            "Off-gas analysis (OUR, CER, RQ)",
            "배기가스 분석 (OUR, CER, RQ)",
            (
                ("Time [h]", (0, 2, 4, 6, 8, 10)),
                ("Gas flow [L/min]", (1.0, 1.0, 1.0, 1.5, 1.5, 1.5)),
                ("Volume [L]", (2.0, 2.0, 2.0, 2.1, 2.1, 2.2)),
                ("O2 in [%]", (20.95,) * 6),
                ("CO2 in [%]", (0.04,) * 6),
                ("O2 out [%]", (20.8, 20.5, 19.9, 19.6, 19.3, 19.5)),
                ("CO2 out [%]", (0.18, 0.45, 1.0, 1.2, 1.5, 1.3)),
            ),
            io.read_offgas,
            _offgas,
            (
                Param(
                    "gas_reference_temperature",
                    "Gas flow reference temperature",
                    "가스 유량 기준 온도",
                    "°C",
                ),
                Param(
                    "gas_reference_pressure",
                    "Gas flow reference pressure",
                    "가스 유량 기준 압력",
                    "kPa",
                    101.325,
                ),
            ),
            plot=("time", "our", "Time (h)", "OUR (mmol/(L·h))"),
            results=("bioproof.analysis.gas.RespirationSummary",),
        ),
        Layout(
            "qc",
            "QC results (lot release tests)",
            "품질시험 결과 (로트 시험)",
            (
                ("Test", ("pH", "Osmolality", "Endotoxin", "Appearance")),
                ("Result", ("7.1", "298", "< 0.05", "Conforms")),
                ("Specification", ("7.0–7.4", "280–320 mOsm/kg", "≤ 0.5 EU/mL", "conforms")),
            ),
            io.read_qc,
            _qc,
            results=("bioproof.analysis.qc.QCReport",),
        ),
        Layout(
            "pulse",
            "Tracer pulse (column efficiency)",
            "추적자 펄스 (컬럼 효율)",
            (
                ("Volume [mL]", tuple(round(6 + 0.25 * i, 2) for i in range(33))),
                (
                    "UV [mAU]",
                    (
                        0,
                        0,
                        0,
                        0,
                        1,
                        2,
                        6,
                        14,
                        30,
                        55,
                        86,
                        110,
                        118,
                        108,
                        88,
                        65,
                        45,
                        29,
                        18,
                        11,
                        7,
                        4,
                        2,
                        1,
                        1,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                    ),
                ),
            ),
            chromatography_reader,
            _pulse,
            (
                Param("bed_height", "Bed height", "충진 높이", "cm"),
                Param("particle_diameter", "Mean particle diameter", "평균 입자 직경", "µm", 0.0),
            ),
            plot=("volume", "signal", "Volume (mL)", "Signal"),
            results=("bioproof.analysis.chromatography.ColumnEfficiency",),
        ),
        Layout(
            "integrity",
            "Filter integrity (pressure ramp)",
            "필터 완전성 (압력 증가 시험)",
            (
                ("Pressure [bar]", (1.0, 1.5, 2.0, 2.5, 3.0, 3.25, 3.5, 3.75, 4.0)),
                ("Gas flow [mL/min]", (2.5, 3.5, 4.5, 5.5, 6.5, 8.9, 18.9, 28.9, 38.9)),
            ),
            filtration_readers.read_integrity,
            _integrity,
            (Param("test_pressure", "Diffusion test pressure", "확산 시험 압력", "bar", 0.0),),
            plot=("pressure", "gas_flow", "Pressure (bar)", "Gas flow (mL/min)"),
            results=("bioproof.analysis.filtration.IntegrityTest",),
        ),
        Layout(
            "permeability",
            "Clean-water permeability",
            "순수 투과도",
            (
                ("TMP [bar]", (0.25, 0.5, 0.75, 1.0)),
                ("Flux [LMH]", (52.0, 101.0, 149.0, 202.0)),
            ),
            filtration_readers.read_permeability,
            _permeability,
            (Param("water_temperature", "Water temperature", "물 온도", "°C", 20.0),),
            plot=("tmp", "flux", "TMP (bar)", "Flux (LMH)"),
            results=("bioproof.analysis.filtration.WaterPermeability",),
        ),
        Layout(
            "sensor_agreement",
            "Sensor vs reference (paired readings)",
            "센서 대 기준 (짝지은 측정값)",
            (
                ("Time [h]", (0, 24, 48, 72, 96, 120, 144, 168)),
                ("Reference", (7.02, 6.98, 6.95, 6.90, 6.88, 6.92, 6.95, 7.00)),
                ("Sensor", (7.03, 6.99, 6.97, 6.91, 6.90, 6.94, 6.97, 7.03)),
            ),
            sensors.read_agreement,
            _sensor_agreement,
            plot=("reference", "sensor", "Reference", "Sensor"),
            results=("bioproof.analysis.sensors.SensorAgreement",),
        ),
        Layout(
            "sensor_step",
            "Sensor step response (t90)",
            "센서 계단 응답 (t90)",
            (
                ("Time [s]", tuple(range(0, 120, 10))),
                ("Signal [pH]", (7.0, 7.0, 7.0, 6.5, 6.2, 6.08, 6.03, 6.01, 6.0, 6.0, 6.0, 6.0)),
            ),
            io.read_mixing,
            _sensor_step,
            (Param("step_time", "Step time", "계단 변화 시각", "s"),),
            plot=("time", "signal", "Time (h)", "Signal"),
            results=("bioproof.analysis.sensors.ResponseTime",),
        ),
        Layout(
            "calibration",
            "Calibration standards (LOD/LOQ)",
            "검량 표준 (LOD/LOQ)",
            (
                ("Concentration [mg/L]", (0, 1, 2, 5, 10, 20)),
                ("Response [mAU]", (0.4, 10.8, 20.1, 50.9, 99.2, 200.6)),
            ),
            sensors.read_calibration,
            _calibration,
            plot=("concentration", "response", "Concentration", "Response"),
            results=("bioproof.analysis.sensors.DetectionLimits",),
        ),
    ]
    from bioproof.evaluations.family_layouts import layouts as family_layouts

    layouts += family_layouts()
    return {layout.key: layout for layout in layouts}


def parameters_for(keys: list[str]) -> list[Param]:
    """Run parameters needed by the given layouts, each once."""
    seen: dict[str, Param] = {}
    for key in keys:
        for param in get(key).parameters:
            seen.setdefault(param.key, param)
    return list(seen.values())


_LAYOUTS: dict[str, Layout] | None = None


def all_layouts() -> dict[str, Layout]:
    global _LAYOUTS
    if _LAYOUTS is None:
        _LAYOUTS = _registry()
    return _LAYOUTS


def get(key: str) -> Layout:
    try:
        return all_layouts()[key]
    except KeyError:
        raise DomainError(
            _("Unknown data layout '%(k)s' (known: %(known)s).")
            % {"k": key, "known": ", ".join(all_layouts())},
            field="layout",
        ) from None


def excel_template(layout: Layout) -> bytes:
    """A workbook with the layout's header row (units in brackets), a worked example and notes."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "data"
    sheet.append([header for header, _example in layout.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    rows = max(len(example) for _header, example in layout.columns)
    for i in range(rows):
        sheet.append([ex[i] if i < len(ex) else None for _h, ex in layout.columns])
    for column, (header, _example) in zip(sheet.columns, layout.columns, strict=False):
        sheet.column_dimensions[column[0].column_letter].width = max(12, len(header) + 2)
    notes = book.create_sheet("README")
    for line in (
        f"BioProof data layout: {layout.key} — {layout.label_en} / {layout.label_ko}",
        "Keep the header row; put the unit in brackets, e.g. 'Titer [mg/L]' or 'Time (h)'.",
        "Units are converted on upload; a missing or incompatible unit is reported with the "
        "row and column.",
        "Replace the example rows with your data; one file per run.",
    ):
        notes.append([line])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def curve(layout: Layout, table: dict[str, list[Any]]) -> tuple[list[float], list[float]]:
    """The (x, y) a layout plots for one run; ``t_over_v`` is the Vmax diagnostic t/V vs t,
    ``our`` the oxygen uptake rate of an off-gas log."""
    import numpy as np

    assert layout.plot is not None
    x_col, y_col, _xl, _yl = layout.plot
    x = np.asarray(table.get(x_col) or [], dtype=float)
    if y_col == "t_over_v":
        v = np.asarray(table.get("volume") or [], dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            y = np.where(v > 0, x / v, np.nan)
    elif y_col == "our":
        from bioproof.analysis.gas import gas_balance

        frame = pd.DataFrame({k: table.get(k) or [] for k in _OFFGAS})
        y = gas_balance(*_offgas_columns(frame.astype(float))).our
    else:
        y = np.asarray([np.nan if v is None else v for v in table.get(y_col) or []], dtype=float)
    if y.size != x.size:  # the plotted signal was not logged in this run
        y = np.full(x.size, np.nan)
    return x.tolist(), y.tolist()
