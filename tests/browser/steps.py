"""Browser steps shared by the walk-through tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..conftest import PASSWORD


def review_and_approve(new_page: Callable[[str, str], Any], code: str) -> None:
    """The center's reviewer and approver each open the evaluation and e-sign it."""
    for who, meaning in (("reviewer", "reviewed"), ("approver", "approved")):
        signer = new_page(who, PASSWORD)
        signer.goto(f"/evaluations/{code}/")
        signer.fill(f"#password-sign_{meaning}", PASSWORD)
        signer.click(f"button[data-step=sign_{meaning}]")
        signer.wait_for_selector(f"#status.s-{meaning}")
