"""Administrators see login lockouts (django-axes) in the desk and lift them.

Lifting deletes the account-and-address row, so the group gets view and delete; lockouts are
never added or edited by hand. Names are spelled here, as in 0008.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMIN_GROUP = "администратор"
LOCKOUT_PERMISSIONS = ["view_accessattempt", "delete_accessattempt"]


def grant(apps, schema_editor):
    # Permissions are normally made after migrations; the group needs them now.
    app_config = apps.get_app_config("axes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=ADMIN_GROUP)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="axes", codename__in=LOCKOUT_PERMISSIONS
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=ADMIN_GROUP).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="axes", codename__in=LOCKOUT_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_article_submission_key"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
