"""Static bilingual text of the evaluation report (and, extended, of the protocol PDF)."""

from __future__ import annotations

#: Static text of the report: key -> (English, Korean).
TEXT: dict[str, tuple[str, str]] = {
    "heading": ("Demonstration evaluation report", "실증 평가 보고서"),
    "code": ("Evaluation code", "평가 번호"),
    "version": ("Version", "버전"),
    "product": ("Product", "평가 제품"),
    "supplier": ("Supplier", "공급기업"),
    "center": ("Demonstration center", "실증지원센터"),
    "reference_product": ("Reference product", "대조 제품"),
    "scale": ("Scale", "규모"),
    "process_context": ("Process context", "공정 조건"),
    "protocol": ("Protocol", "평가계획"),
    "correction": ("Correction", "정정"),
    "correction_text": (
        "Version {version} replaces version {previous}. Reason for the correction:",
        "이 보고서(버전 {version})는 이전 버전({previous})을 대체합니다. 정정 사유:",
    ),
    "criteria": ("Acceptance criteria", "판정 기준"),
    "col_kpi": ("KPI", "지표"),
    "col_comparison": ("Comparison", "비교 방법"),
    "col_result": ("Result", "결과"),
    "col_verdict": ("Verdict", "판정"),
    "pass": ("Pass", "적합"),
    "fail": ("Fail", "부적합"),
    "not_evaluable": ("Not evaluable", "판정 불가"),
    "criteria_summary": (
        "{passed} of {total} criteria met",
        "판정 기준 {total}개 중 {passed}개 적합",
    ),
    "criteria_failed": ("{n} not met", "{n}개 부적합"),
    "criteria_na": ("{n} not evaluable", "{n}개 판정 불가"),
    "no_criteria": ("No acceptance criteria were defined.", "정의된 판정 기준이 없습니다."),
    "kpis": ("KPIs per run", "배치별 성능 지표"),
    "arm_candidate": ("Candidate", "후보"),
    "arm_reference": ("Reference", "대조"),
    "no_kpis": ("No KPI values.", "성능 지표 값이 없습니다."),
    "figure": ("Growth and titer", "세포 성장 및 역가"),
    "figure_caption": (
        "Figure 1. Viable cell density (a) and titer (b) over culture time. Candidate runs are "
        "drawn as lines with markers, reference runs as their min–max range (shaded) and mean "
        "(dashed).",
        "그림 1. 배양 시간에 따른 생세포 농도(a)와 역가(b). 후보 배치는 선과 표식으로, 대조 "
        "배치는 최소–최대 범위(음영)와 평균(점선)으로 표시하였다.",
    ),
    "no_runs": ("No time-course data.", "시계열 데이터가 없습니다."),
    "deviations": ("Deviations", "일탈"),
    "none": ("None.", "없음."),
    "signatures": ("Signatures", "전자서명"),
    "col_meaning": ("Meaning", "서명 의미"),
    "col_name": ("Name", "성명"),
    "col_organization": ("Organization", "소속"),
    "col_signed_at": ("Signed at", "서명 일시"),
    "col_hash": ("Signed content", "서명 대상"),
    "no_signatures": ("Not signed.", "서명 없음."),
    "verification": ("Verification", "진위 확인"),
    "verification_code": ("Verification code", "확인 코드"),
    "content_hash": ("Content hash (SHA-256)", "내용 해시 (SHA-256)"),
    "engine_version": ("Analysis engine", "분석 엔진"),
    "verify_url": ("Verify at", "확인 주소"),
    "generated_at": ("Generated", "발행 일시"),
    "verify_note": (
        "Enter the verification code at the address above, or scan the QR code, to check that "
        "this report is authentic and current.",
        "위 주소에서 확인 코드를 입력하거나 QR 코드를 스캔하여 이 보고서가 진본이며 최신 "
        "버전인지 확인할 수 있습니다.",
    ),
    "page": ("page {page} of {pages}", "{page} / {pages} 쪽"),
    "demand_company": ("Demand company", "수요기업"),
    "need": ("Need", "수요"),
    "conclusion": ("Conclusion", "종합 결론"),
    "overall": ("Overall verdict", "종합 판정"),
    "overall_pass": ("Meets the acceptance criteria", "판정 기준 충족"),
    "overall_fail": ("Does not meet the acceptance criteria", "판정 기준 미충족"),
    "overall_open": ("No overall verdict", "종합 판정 보류"),
    "conclusion_pass": (
        "The candidate product met all {total} acceptance criteria of the signed protocol "
        "against the reference product.",
        "후보 제품이 서명된 평가계획의 판정 기준 {total}개를 대조 제품 대비 모두 충족하였습니다.",
    ),
    "conclusion_fail": (
        "The candidate product did not meet {failed} of the {total} acceptance criteria of the "
        "signed protocol: {items}.",
        "후보 제품이 서명된 평가계획의 판정 기준 {total}개 중 {failed}개를 충족하지 못하였습니다: "
        "{items}.",
    ),
    "conclusion_met": ("Met: {items}.", "충족: {items}."),
    "conclusion_na": (
        "{na} criteria could not be evaluated ({items}); they need more data before a verdict.",
        "판정 기준 {na}개는 판정할 수 없었습니다({items}). 판정하려면 추가 데이터가 필요합니다.",
    ),
    "conclusion_none": (
        "No acceptance criteria were defined, so this report gives the measured results without "
        "an overall verdict.",
        "정의된 판정 기준이 없어 종합 판정 없이 측정 결과만 보고합니다.",
    ),
    "conclusion_scope": (
        "The verdicts hold for the scale and process conditions above ({scale}).",
        "이 판정은 위에 적은 규모와 공정 조건({scale})에서 얻은 결과에 한합니다.",
    ),
    "runs": ("Runs, equipment and raw data", "배치, 장비 및 원본 데이터"),
    "col_run": ("Run", "배치"),
    "col_arm": ("Arm", "구분"),
    "col_batch": ("Batch ID", "배치 번호"),
    "col_equipment": ("Equipment", "장비"),
    "col_file": ("Raw data file", "원본 데이터 파일"),
    "no_files": ("no raw data", "원본 데이터 없음"),
    "no_run_info": ("No runs.", "배치가 없습니다."),
    "runs_note": (
        "Each raw file is identified by its SHA-256: the same bytes give the same value, so the "
        "analysed data can be checked against the files kept by the platform.",
        "각 원본 파일은 SHA-256 해시로 식별됩니다. 같은 파일은 같은 값을 가지므로, 분석한 데이터가 "
        "플랫폼에 보관된 파일과 같은지 확인할 수 있습니다.",
    ),
    "figure_n": ("Figure {n}. {caption}", "그림 {n}. {caption}"),
}
