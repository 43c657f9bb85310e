from django.db import migrations


def sync(apps, schema_editor):
    from bioproof.catalog.categories import sync as sync_categories

    sync_categories(apps.get_model("catalog", "Category"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_initial")]
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
