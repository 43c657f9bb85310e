"""No double booking, enforced by the database (PostgreSQL).

An exclusion constraint over ``tstzrange(starts_at, block_until)`` (the booking plus the
equipment's buffer) with equality on the equipment, for bookings that hold the equipment
(requested, confirmed, checked in, completed). ``btree_gist`` lets the GiST index compare the
equipment id with ``=``.

Both operations act only on PostgreSQL: ``BtreeGistExtension`` skips other vendors by itself and
the constraint is added by a RunPython that checks the vendor, so the same migration runs on
SQLite (where every write transaction is serialized by ``BEGIN IMMEDIATE`` and the booking action
checks the overlap with the equipment row locked). The constraint is not part of the model state,
so ``makemigrations`` stays clean on both.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations, models
from django.db.models import Func

NAME = "booking_no_overlap"
HOLDING = ("requested", "confirmed", "checked_in", "completed")


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = models.DateTimeField()  # only used to build SQL


def _constraint() -> ExclusionConstraint:
    return ExclusionConstraint(
        name=NAME,
        expressions=[
            ("equipment", RangeOperators.EQUAL),
            (TsTzRange("starts_at", "block_until", models.Value("[)")), RangeOperators.OVERLAPS),
        ],
        condition=models.Q(status__in=HOLDING),
    )


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_constraint(apps.get_model("facilities", "Booking"), _constraint())


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_constraint(apps.get_model("facilities", "Booking"), _constraint())


class Migration(migrations.Migration):
    dependencies = [("facilities", "0001_initial_facilities")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(add, remove),
    ]
