"""BioProof analysis engine: the science behind a track record, without Django.

Functions take NumPy arrays or tidy pandas frames in documented canonical units (time in h, cell
density in cells/mL, concentrations in g/L or mmol/L, volumes in L, viability in %) and return
frozen result dataclasses with ``.to_dict()`` (JSON-safe; NaN becomes ``None``), in the manner of
``scipy.stats``. Every formula, unit and reference is listed in ``docs/science.md``.

Modules: :mod:`~bioproof.analysis.io` (CSV/XLSX with units in the headers),
:mod:`~bioproof.analysis.kinetics`, :mod:`~bioproof.analysis.gas`,
:mod:`~bioproof.analysis.chromatography`, :mod:`~bioproof.analysis.filtration`,
:mod:`~bioproof.analysis.comparability`, :mod:`~bioproof.analysis.profiles`,
:mod:`~bioproof.analysis.sensors`, :mod:`~bioproof.analysis.qc`,
:mod:`~bioproof.analysis.bioreactor`, :mod:`~bioproof.analysis.tff`,
:mod:`~bioproof.analysis.resins`, :mod:`~bioproof.analysis.media`,
:mod:`~bioproof.analysis.single_use`, :mod:`~bioproof.analysis.planning`,
:mod:`~bioproof.analysis.validation` (reference case of every KPI),
:mod:`~bioproof.analysis.kpis` (labels and units of every KPI) and :mod:`~bioproof.analysis.cli`.

Importing the package is cheap: submodules are imported only when used.
"""

from __future__ import annotations

#: Version of the analysis engine, stored with every computed result. Bump the minor version when
#: a formula or a default changes a number, the major version when a result key changes.
ENGINE_VERSION = "1.2.0"

__all__ = ["ENGINE_VERSION"]
