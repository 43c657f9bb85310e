from tests.demand.conftest import (  # noqa: F401
    _fast_password_hashing,
    listed_a,
    make_need,
    make_product,
    more_orgs,
    more_people,
    need,
)
