"""The desk's roles as groups, each with the model permissions the admin needs to show its screens.

What a role may do to which region's stories is decided by articles/publishing/permissions.py;
these permissions only open the admin's screens. Names are spelled here, not imported, so the
migration keeps meaning what it meant when it was written.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Delete opens the screen; permissions.can_delete lets a journalist delete only their own draft.
WRITER = [
    "articles.view_article",
    "articles.add_article",
    "articles.change_article",
    "articles.delete_article",
    "articles.view_photo",
    "articles.add_photo",
    "articles.change_photo",
    "articles.view_author",
    "articles.view_region",
    "articles.view_tag",
]
EDITOR = WRITER
MANAGER = EDITOR + [
    f"{app}.{action}_{model}"
    for app, model in [
        ("articles", "region"),
        ("articles", "author"),
        ("articles", "tag"),
        ("articles", "photo"),
        ("articles", "regionmembership"),
        ("auth", "user"),
        ("auth", "group"),
    ]
    for action in ("view", "add", "change", "delete")
]

GROUPS = {
    "журналист": WRITER,
    "редактор региона": EDITOR,
    "главный редактор": EDITOR,
    "администратор": MANAGER,
}


def create_groups(apps, schema_editor):
    # Permissions are normally made after migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for full in codenames:
            app_label, codename = full.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_workflow_roles_corrections"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
