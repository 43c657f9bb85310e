"""The category tree of materials, parts and equipment, with each category's specification fields.

A spec field is ``(key, label_en, label_ko, kind, unit)`` where kind is ``number``, ``text`` or
``choice:<a>|<b>|…``. Values are validated on entry by :func:`bioproof.catalog.specs.clean_specs`.
"""

from __future__ import annotations

from typing import Any

SpecField = tuple[str, str, str, str, str]

CATEGORIES: list[tuple[str, str | None, str, str, list[SpecField]]] = [
    # code, parent, name_en, name_ko, spec fields
    ("materials", None, "Materials", "소재", []),
    (
        "media",
        "materials",
        "Cell culture media",
        "세포배양 배지",
        [
            ("cell_line", "Cell line", "세포주", "text", ""),
            ("format", "Format", "형태", "choice:powder|liquid", ""),
            ("chemically_defined", "Chemically defined", "화학조성 명확", "choice:yes|no", ""),
            (
                "animal_origin_free",
                "Animal-origin free",
                "동물유래성분 무함유",
                "choice:yes|no",
                "",
            ),
        ],
    ),
    (
        "feeds",
        "materials",
        "Feeds and supplements",
        "피드 및 첨가제",
        [
            ("format", "Format", "형태", "choice:powder|liquid", ""),
        ],
    ),
    (
        "fermentation-media",
        "materials",
        "Fermentation media",
        "발효 배지",
        [
            ("organism", "Organism", "균주", "text", ""),
        ],
    ),
    ("buffers", "materials", "Buffers and process chemicals", "완충액 및 공정 화학물질", []),
    (
        "resins",
        "materials",
        "Chromatography resins",
        "크로마토그래피 레진",
        [
            ("ligand", "Ligand", "리간드", "text", ""),
            ("mode", "Mode", "분리 모드", "choice:affinity|ion-exchange|mixed-mode|HIC|SEC", ""),
            ("particle_size", "Mean particle size", "평균 입자 크기", "number", "µm"),
            ("dbc10", "Dynamic binding capacity (10 %)", "동적결합능 (10 %)", "number", "g/L"),
        ],
    ),
    (
        "membranes",
        "materials",
        "Membranes",
        "멤브레인",
        [
            ("mwco", "Molecular weight cut-off", "분획분자량", "number", "kDa"),
            ("material", "Material", "재질", "text", ""),
        ],
    ),
    ("parts", None, "Parts", "부품", []),
    (
        "single-use-bags",
        "parts",
        "Single-use bags and assemblies",
        "일회용 백 및 어셈블리",
        [
            ("volume", "Bag volume", "백 용량", "number", "L"),
            ("contact_layer", "Film contact layer", "필름 접액층", "text", ""),
            (
                "sterilization",
                "Sterilization",
                "멸균 방식",
                "choice:gamma|e-beam|autoclave|none",
                "",
            ),
        ],
    ),
    (
        "tubing",
        "parts",
        "Tubing",
        "튜빙",
        [
            ("inner_diameter", "Inner diameter", "내경", "number", "mm"),
            ("material", "Material", "재질", "text", ""),
        ],
    ),
    ("connectors", "parts", "Connectors", "커넥터", []),
    (
        "filters",
        "parts",
        "Filters",
        "필터",
        [
            ("filter_type", "Type", "종류", "choice:depth|sterile|virus|prefilter", ""),
            ("pore_size", "Pore size", "공극 크기", "number", "µm"),
            ("area", "Filtration area", "여과 면적", "number", "m²"),
            ("membrane", "Membrane material", "막 재질", "text", ""),
        ],
    ),
    (
        "sensors",
        "parts",
        "Sensors",
        "센서",
        [
            (
                "measurand",
                "Measurand",
                "측정 항목",
                "choice:pH|DO|pCO2|temperature|pressure|biomass|glucose",
                "",
            ),
            ("single_use", "Single-use", "일회용", "choice:yes|no", ""),
        ],
    ),
    ("equipment", None, "Equipment", "장비", []),
    (
        "bioreactors",
        "equipment",
        "Bioreactors",
        "생물반응기",
        [
            ("working_volume", "Working volume", "작업 용량", "number", "L"),
            ("single_use", "Single-use", "일회용", "choice:yes|no", ""),
        ],
    ),
    (
        "fermenters",
        "equipment",
        "Fermenters",
        "발효기",
        [
            ("working_volume", "Working volume", "작업 용량", "number", "L"),
        ],
    ),
    ("chromatography-systems", "equipment", "Chromatography systems", "크로마토그래피 시스템", []),
    ("tff-systems", "equipment", "TFF systems", "TFF 시스템", []),
    (
        "mixers",
        "equipment",
        "Mixers",
        "믹서",
        [
            ("volume", "Volume", "용량", "number", "L"),
        ],
    ),
    ("freeze-thaw", "equipment", "Freeze-thaw systems", "동결-해동 장비", []),
    ("fill-finish", "equipment", "Fill-finish equipment", "충전-마감 장비", []),
]


def sync(category_model: Any) -> None:
    """Create or update the category tree (idempotent; used by a data migration and tests)."""
    by_code: dict[str, Any] = {}
    for code, parent, name_en, name_ko, fields in CATEGORIES:
        obj, _ = category_model.objects.update_or_create(
            code=code,
            defaults={
                "parent": by_code.get(parent) if parent else None,
                "name_en": name_en,
                "name_ko": name_ko,
                "spec_fields": [list(f) for f in fields],
            },
        )
        by_code[code] = obj
