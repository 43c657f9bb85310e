"""Every write to an evaluation goes through these actions: policy check, validation, write and
audit event, in one transaction."""

from bioproof.evaluations.actions.requests import (
    accept,
    add_criterion,
    attach,
    provide_info,
    reject,
    remove_criterion,
    request_evaluation,
    request_info,
    set_template,
    sign_protocol,
    withdraw_request,
)
from bioproof.evaluations.actions.runs import (
    add_run,
    add_runs_from_protocol,
    analyse,
    discard_staged,
    exclude_run,
    record_deviation,
    stage_run_data,
    update_run,
    upload_run_data,
)
from bioproof.evaluations.actions.signing import (
    consent_demand,
    generate_report,
    publish,
    return_for_rework,
    sign,
    start_correction,
    withdraw,
)
from bioproof.evaluations.actions.templates import revise_template

__all__ = [
    "accept",
    "add_criterion",
    "add_run",
    "add_runs_from_protocol",
    "analyse",
    "attach",
    "consent_demand",
    "discard_staged",
    "exclude_run",
    "generate_report",
    "provide_info",
    "publish",
    "record_deviation",
    "reject",
    "remove_criterion",
    "request_evaluation",
    "request_info",
    "return_for_rework",
    "revise_template",
    "set_template",
    "sign",
    "sign_protocol",
    "stage_run_data",
    "start_correction",
    "update_run",
    "upload_run_data",
    "withdraw",
    "withdraw_request",
]
