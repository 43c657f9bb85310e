"""The training fixtures (a passed enrollment with its certificate) for the certificate package."""

from tests.training.conftest import (  # noqa: F401 (fixtures)
    course,
    make_session,
    passed,
    provider,
    t_orgs,
    today_session,
    tp,
)
