from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_terms"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="searchdocument",
            index=models.Index(fields=["verdict"], name="search_doc_verdict"),
        ),
    ]
