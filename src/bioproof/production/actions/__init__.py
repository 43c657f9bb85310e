"""Writes to production (the only writers): policy check, validation, write and audit event in one
transaction; check-then-write actions lock the guarding row first (order, MBR/spec family, batch,
deviation, shipment)."""

from bioproof.production.actions.batches import (  # noqa: F401
    draw_sample,
    enter_result,
    exceptions,
    genealogy,
    invalidate_result,
    receive_lot,
    record_step,
    review_batch,
    start_batch,
    verify_result,
    verify_step,
)
from bioproof.production.actions.masters import (  # noqa: F401
    approve_mbr,
    approve_spec,
    create_mbr,
    create_spec,
    current_mbr,
    current_spec,
    revise_mbr,
    revise_spec,
)
from bioproof.production.actions.orders import (  # noqa: F401
    ORDER_TRANSITIONS,
    accept_quote,
    add_construct,
    cancel_order,
    create_order,
    quote_order,
    submit_order,
)
from bioproof.production.actions.quality import (  # noqa: F401
    CUSTODY_TRANSITIONS,
    DEVIATION_TRANSITIONS,
    add_capa,
    assess_for_release,
    check_effectiveness,
    classify_deviation,
    close_deviation,
    complete_capa,
    create_shipment,
    dispose,
    generate_coa,
    raise_deviation,
    record_custody,
    record_root_cause,
    release_blockers,
)
from bioproof.production.actions.scheduling import schedule_order  # noqa: F401
