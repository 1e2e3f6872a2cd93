from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("resources", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="RevisionMark",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("tenant", models.CharField(max_length=63)),
                ("revision", models.BigIntegerField()),
                ("recorded", models.DateTimeField()),
            ],
            options={
                "db_table": "kube_revision_mark",
                "indexes": [models.Index(fields=["tenant", "recorded"], name="kube_revision_mark_time")],
            },
        ),
        # A key's history in revision order: a watch event's previous state
        # (selectors) and compaction's "is there a newer row" both look it up.
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS kube_history_key ON kube_history"
            " (tenant, api_group, resource, namespace, name, revision)",
            "DROP INDEX IF EXISTS kube_history_key",
        ),
    ]
