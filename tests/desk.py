"""What tests of the desk share: complete POSTs of the story form."""

import uuid
import zoneinfo

from django.utils import timezone

from articles.publishing.concurrency import edit_token


def article_form_data(region, **overrides):
    """A complete POST of the story form, with empty byline and teaser inlines."""
    data = {
        "headline": "Пожар на Московском проспекте потушен",
        "slug": "",
        "lead": "Огонь охватил склад; никто не пострадал.",
        "body": "<p>Текст новости.</p>",
        "region": region.pk,
        "published_at_0": "",
        "published_at_1": "",
        "seo_title": "",
        "seo_description": "",
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        "related_links-TOTAL_FORMS": "0",
        "related_links-INITIAL_FORMS": "0",
        # A fresh add form's one-time key; a change form's edit token comes from story_data().
        "form_key": uuid.uuid4().hex,
    }
    data.update(overrides)
    return data


def publication(moment, zone: str, field: str = "published_at") -> dict:
    """The split date and time fields for `moment`, on the clock the form reads them in."""
    if moment is None:
        return {f"{field}_0": "", f"{field}_1": ""}
    local = timezone.localtime(moment, zoneinfo.ZoneInfo(zone))
    return {f"{field}_0": f"{local:%Y-%m-%d}", f"{field}_1": f"{local:%H:%M:%S}"}


def story_data(article, **overrides) -> dict:
    """The change form of `article` as it stands (times on its region's clock), with overrides."""
    data = article_form_data(
        article.region,
        headline=article.headline,
        slug=article.slug,
        lead=article.lead,
        body=article.body,
    )
    for field in ("published_at", "embargo_until", "unpublish_at"):
        data |= publication(getattr(article, field), article.region.time_zone, field)
    article.refresh_from_db(fields=["updated_at"])
    data["edit_token"] = edit_token(article)
    return data | overrides


def staff_user(username: str, group: str | None = None, **regions):
    """A desk account: staff, in the role's group, with `regions` as {role: [Region, …]}."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from articles.models import RegionMembership

    user = get_user_model().objects.create_user(
        username, password="desk-password", is_staff=True, first_name=username.title()
    )
    if group is not None:
        user.groups.add(Group.objects.get(name=group))
    for role, region_list in regions.items():
        for region in region_list:
            RegionMembership.objects.create(user=user, region=region, role=role)
    return user


def ensure_desk_groups() -> None:
    """The desk's groups as migrations 0008 and 0010 make them, again: a transactional test's
    flush deletes the rows data migrations made (permissions come back with post_migrate)."""
    import importlib

    from django.contrib.auth.models import Group, Permission

    groups = importlib.import_module("articles.migrations.0008_desk_groups").GROUPS
    lockouts = importlib.import_module("articles.migrations.0010_lockout_permissions")
    for name, codenames in groups.items():
        group, _ = Group.objects.get_or_create(name=name)
        for full in codenames:
            app_label, codename = full.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    Group.objects.get(name=lockouts.ADMIN_GROUP).permissions.add(
        *Permission.objects.filter(
            content_type__app_label="axes", codename__in=lockouts.LOCKOUT_PERMISSIONS
        )
    )
