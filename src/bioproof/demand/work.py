"""What demand and supply wait for (the "My work" dashboard): proposals to answer and needs with
products listed since they were posted."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bioproof.catalog.models import Category, Product
from bioproof.consortium.models import Membership, Organization
from bioproof.core import mywork
from bioproof.demand.models import Need, Proposal

Role = Membership.Role
P = Proposal.Status


def _proposal_item(p: Proposal) -> mywork.Item:
    return mywork.Item(
        f"{p.need.code} ← {p.product.code}",
        f"{p.need.title} · {p.product.name}",
        reverse("need_detail", args=[p.need.code])
        if p.status == P.INVITED
        else reverse("proposal_list"),
        p.updated_at,
    )


#: open needs looked at for new matches (the newest first)
NEED_SCAN = 100


@mywork.provider(tables=(Proposal, Need, Product, Category, Organization))
def demand_work(user: Any, roles: dict[int, frozenset[str]], limit: int) -> Iterator[Any]:
    staff = mywork.orgs_with(roles, Role.STAFF)
    if not staff:
        return
    base = Proposal.objects.select_related("need", "product").order_by("updated_at", "id")
    yield mywork.section(
        "proposals_to_answer",
        _("Proposals to answer"),
        base.filter(status=P.INVITED, supplier_id__in=staff)
        | base.filter(status=P.SUBMITTED, need__organization_id__in=staff),
        item=_proposal_item,
        limit=limit,
    )
    needs = list(
        Need.objects.filter(organization_id__in=staff, status=Need.Status.OPEN)
        .select_related("category")
        .order_by("-created_at")[:NEED_SCAN]
    )
    if not needs:
        return
    # one walk of the (small) category tree for every need
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in Category.objects.values_list("id", "parent_id"):
        children[parent].append(pk)

    def below(root: int) -> set[int]:
        out, stack = set(), [root]
        while stack:
            pk = stack.pop()
            out.add(pk)
            stack.extend(children.get(pk, ()))
        return out

    subtree = {n.pk: below(n.category_id) for n in needs}
    categories = set().union(*subtree.values())
    since = min(n.created_at for n in needs)
    fresh = list(
        Product.objects.filter(
            status=Product.Status.LISTED, category_id__in=categories, created_at__gt=since
        )
        .exclude(supplier_id__in=staff)
        .values_list("pk", "category_id", "created_at")
    )
    answered = set(Proposal.objects.filter(need__in=needs).values_list("need_id", "product_id"))
    counted = []
    for need in needs:
        new = [
            pk
            for pk, category, created in fresh
            if category in subtree[need.pk]
            and created > need.created_at
            and (need.pk, pk) not in answered
        ]
        if new:
            counted.append((need, len(new)))
    items = [
        mywork.Item(
            need.code,
            _("%(title)s · %(n)d new matching product(s)") % {"title": need.title, "n": n},
            reverse("need_detail", args=[need.code]),
            need.created_at,
        )
        for need, n in counted[:limit]
    ]
    yield mywork.Section("new_matches", _("Needs with new matches"), len(counted), items)
