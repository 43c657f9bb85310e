from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("product", "Product"), ("track_record", "Track record"), ("need", "Need")], max_length=20)),
                ("object_id", models.BigIntegerField()),
                ("code", models.CharField(max_length=30)),
                ("title_ko", models.CharField(max_length=300)),
                ("title_en", models.CharField(max_length=300)),
                ("subtitle_ko", models.CharField(blank=True, max_length=300)),
                ("subtitle_en", models.CharField(blank=True, max_length=300)),
                ("category_id", models.BigIntegerField(null=True)),
                ("supplier_id", models.BigIntegerField(null=True)),
                ("center_id", models.BigIntegerField(null=True)),
                ("owner_id", models.BigIntegerField(null=True)),
                ("audience", models.CharField(choices=[("public", "Everyone"), ("consortium", "Suppliers and consortium members"), ("owner", "The owning organization")], max_length=12)),
                ("verdict", models.CharField(blank=True, max_length=8)),
                ("status", models.CharField(blank=True, max_length=20)),
                ("names", models.TextField(blank=True)),
                ("body", models.TextField(blank=True)),
                ("raw_names", models.TextField(blank=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("kind", "object_id"), name="unique_search_document")],
                "indexes": [
                    models.Index(fields=["category_id"], name="search_doc_category"),
                    models.Index(fields=["supplier_id"], name="search_doc_supplier"),
                    models.Index(fields=["center_id"], name="search_doc_center"),
                ],
            },
        ),
    ]
