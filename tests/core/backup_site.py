"""A BioProof site driven from a separate process, for the backup tests.

``python tests/core/backup_site.py seed`` creates a supplier, a user and a product;
``… upload N`` uploads N product documents; ``… write`` uploads documents until its standard
input closes. Each committed upload prints ``committed <id> <sha256> <path>`` (flushed) only
after its transaction has committed, as a server would acknowledge it.
``… list`` prints every stored document the same way.
"""

from __future__ import annotations

import os
import sys
import threading

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bioproof.settings")

import django

django.setup()

from bioproof.catalog import actions as catalog  # noqa: E402
from bioproof.catalog.models import Category, Product  # noqa: E402
from bioproof.consortium import actions as consortium  # noqa: E402
from bioproof.consortium.models import User  # noqa: E402
from bioproof.demand import actions as demand  # noqa: E402
from bioproof.demand.models import ProductDocument  # noqa: E402


def seed() -> None:
    org = consortium.create_organization(
        by=None, code="bk-supplier", name_ko="백업소재", name_en="Backup Materials", kind="supplier"
    )
    user = consortium.create_user(
        by=None, username="bk", password="bk-pass-2026!", organization=org, roles=["staff"]
    )
    catalog.register_product(
        by=user,
        supplier=org,
        category=Category.objects.get(code="media"),
        name_ko="백업 배지",
        name_en="Backup medium",
        listed=True,
    )


def upload(i: int) -> None:
    user = User.objects.get(username="bk")
    product = Product.objects.get(supplier__code="bk-supplier")
    data = os.urandom(2048) + f"document {i}\n".encode()
    doc = demand.upload_product_document(
        by=user, product=product, kind="datasheet", filename=f"doc-{i}.bin", data=data
    )
    print(f"committed {doc.pk} {doc.sha256} {doc.file.name}", flush=True)


def main(argv: list[str]) -> None:
    if argv[0] == "seed":
        seed()
    elif argv[0] == "upload":
        for i in range(int(argv[1])):
            upload(i)
    elif argv[0] == "write":
        stop = threading.Event()
        threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
        i = 0
        while not stop.is_set():
            upload(100000 + i)
            i += 1
    elif argv[0] == "list":
        for doc in ProductDocument.objects.order_by("pk"):
            print(f"committed {doc.pk} {doc.sha256} {doc.file.name}")


if __name__ == "__main__":
    main(sys.argv[1:])
