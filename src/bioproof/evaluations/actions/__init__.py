"""Every write to an evaluation goes through these actions: policy check, validation, write and
audit event, in one transaction."""

from bioproof.evaluations.actions.requests import (
    accept,
    add_criterion,
    provide_info,
    reject,
    remove_criterion,
    request_evaluation,
    request_info,
    set_template,
    sign_protocol,
)
from bioproof.evaluations.actions.runs import (
    add_run,
    analyse,
    discard_staged,
    record_deviation,
    stage_run_data,
    upload_run_data,
)
from bioproof.evaluations.actions.signing import (
    consent_demand,
    generate_report,
    publish,
    sign,
    start_correction,
    withdraw,
)
from bioproof.evaluations.actions.templates import revise_template

__all__ = [
    "accept",
    "add_criterion",
    "add_run",
    "analyse",
    "consent_demand",
    "discard_staged",
    "generate_report",
    "provide_info",
    "publish",
    "record_deviation",
    "reject",
    "remove_criterion",
    "request_evaluation",
    "request_info",
    "revise_template",
    "set_template",
    "sign",
    "sign_protocol",
    "stage_run_data",
    "start_correction",
    "upload_run_data",
    "withdraw",
]
