"""Every URL of the site, for every desk role and for an anonymous reader: the expected answer.

The URLconf is walked, not listed by hand: a URL added without a row here fails the test that
says so, so nobody ships a page whose access nobody decided.
"""

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import URLResolver, get_resolver, reverse
from django_tasks_db.models import DBTaskResult

from articles.indexnow import ping_indexnow
from articles.models import RegionalRole
from articles.publishing import revisions
from articles.publishing.previews import preview_token
from articles.publishing.roles import (
    ADMIN_GROUP,
    CHIEF_EDITOR_GROUP,
    JOURNALIST_GROUP,
    REGIONAL_EDITOR_GROUP,
)
from tests.desk import staff_user
from tests.factories import ArticleFactory, AuthorFactory, PhotoFactory, RegionFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "journalist", "regional-editor", "chief-editor", "admin")
STAFF = ROLES[1:]


def answers(default: int, anonymous: int | None = None, **by_role: int) -> dict[str, int]:
    """Expected status per role: `default` for staff, `anonymous` (default 302, the login page)."""
    table = {role: default for role in STAFF}
    table |= {role.replace("_", "-"): status for role, status in by_role.items()}
    table["anonymous"] = 302 if anonymous is None else anonymous
    return table


def public(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


EVERY_STAFF = answers(200)
ADMINS_ONLY = answers(403, admin=200)
NOBODY = answers(403)  # the task queue's records: for a superuser's eyes

# Library models everyone at the desk reads and administrators change.
MANAGED = {"changelist": EVERY_STAFF, "add": ADMINS_ONLY, "history": EVERY_STAFF}
MANAGED |= {"delete": ADMINS_ONLY, "change": EVERY_STAFF, "object": answers(302)}

EXPECTED = {
    "admin:index": EVERY_STAFF,
    "admin:login": answers(302, anonymous=200),
    "admin:logout": answers(405),  # a GET logs nobody out
    "admin:password_change": EVERY_STAFF,
    "admin:password_change_done": EVERY_STAFF,
    "admin:autocomplete": EVERY_STAFF,
    "admin:jsi18n": EVERY_STAFF,
    "admin:view_on_site": answers(302),
    "admin:app_list[articles]": EVERY_STAFF,
    "admin:app_list[auth]": answers(404, admin=200),
    "admin:app_list[django_tasks_database]": answers(404),
    "admin:app_list[axes]": answers(404, admin=200),
    "admin/(?P<url>.*)$": answers(404),
    **{
        f"admin:articles_{model}_{view}": status
        for model in ("region", "author", "tag")
        for view, status in MANAGED.items()
    },
    "admin:articles_photo_changelist": EVERY_STAFF,
    "admin:articles_photo_add": EVERY_STAFF,
    "admin:articles_photo_history": EVERY_STAFF,
    "admin:articles_photo_change": EVERY_STAFF,
    "admin:articles_photo_delete": ADMINS_ONLY,
    "admin:articles_photo_object": answers(302),
    # A kept upload's preview: the signed token is the authority; a forged one finds nothing.
    "admin:articles_photo_pending": answers(404),
    # A draft of Kaliningrad by the journalist: theirs to change and delete.
    "admin:articles_article_queue": EVERY_STAFF,
    "admin:articles_article_links": EVERY_STAFF,  # the editor's link picker (JSON)
    "admin:articles_article_changelist": EVERY_STAFF,
    "admin:articles_article_add": EVERY_STAFF,
    "admin:articles_article_history": EVERY_STAFF,
    "admin:articles_article_delete": EVERY_STAFF,
    "admin:articles_article_change": EVERY_STAFF,
    "admin:articles_article_object": answers(302),
    "admin:articles_article_revisions": EVERY_STAFF,
    "admin:articles_article_compare": EVERY_STAFF,
    "admin:articles_article_restore": EVERY_STAFF,  # GET: the confirmation page
    "admin:articles_article_presence": answers(405),  # the form's heartbeat is a POST
    "admin:articles_article_revisions[elsewhere]": answers(
        200, journalist=404, regional_editor=404
    ),
    # Another region's story: not there at all for Kaliningrad's staff.
    "admin:articles_article_change[elsewhere]": answers(200, journalist=404, regional_editor=404),
    "admin:articles_article_history[elsewhere]": answers(200, journalist=404, regional_editor=404),
    "admin:articles_article_delete[elsewhere]": answers(200, journalist=404, regional_editor=404),
    **{
        f"admin:auth_{model}_{view}": ADMINS_ONLY
        for model in ("user", "group")
        for view in ("changelist", "add", "history", "delete", "change")
    },
    "admin:auth_user_object": answers(302),
    "admin:auth_group_object": answers(302),
    "admin:auth_user_password_change": ADMINS_ONLY,
    **{
        f"admin:django_tasks_database_dbtaskresult_{view}": NOBODY
        for view in ("changelist", "add", "history", "delete", "change")
    },
    "admin:django_tasks_database_dbtaskresult_object": answers(302),
    # Login lockouts: administrators see and lift them; nobody adds or edits one.
    **{
        f"admin:axes_accessattempt_{view}": ADMINS_ONLY
        for view in ("changelist", "history", "delete", "change")
    },
    "admin:axes_accessattempt_add": NOBODY,
    "admin:axes_accessattempt_object": answers(302),
    # The reader's site answers everyone alike.
    "favicon.ico": public(301),
    "sitemap_index": public(200),
    "sitemap_section": public(200),
    "robots_txt": public(200),
    "articles:home": public(200),
    "articles:tag_detail": public(200),
    "articles:author_detail": public(200),
    "articles:search": public(200),
    "articles:site_feed": public(200),
    "articles:site_full_text_feed": public(200),
    "articles:tag_feed": public(200),
    "articles:author_feed": public(200),
    "articles:region_feed": public(200),
    "articles:region_full_text_feed": public(200),
    "articles:region_detail": public(200),
    "articles:region_day_archive": public(200),
    "articles:article_detail": public(200),
    "articles:article_preview": public(200),  # the signed link is the authority
    "indexnow_key": public(404),  # IndexNow is off in tests
    "^media/(?P<path>.*)$": public(404),  # served by the web server; only with DEBUG
}


def url_keys(patterns=None, prefix="", namespace=None):
    """A key per URL: `namespace:name`, or the route itself for unnamed ones."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from url_keys(pattern.url_patterns, route, pattern.namespace or namespace)
        elif pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name
        elif route.startswith("admin/") and route.endswith("/<path:object_id>/"):
            # The admin's bare object URL (it redirects to the change form), keyed by its model.
            app_model = route.removeprefix("admin/").removesuffix("/<path:object_id>/")
            yield f"admin:{app_model.replace('/', '_')}_object"
        else:
            yield route


def matrix_keys() -> set[str]:
    """Every URL's key; the app index has one per application, another region's story three."""
    keys = set(url_keys())
    if "admin:app_list" in keys:
        keys.remove("admin:app_list")
        keys |= {"admin:app_list[articles]", "admin:app_list[auth]"}
        keys |= {"admin:app_list[django_tasks_database]", "admin:app_list[axes]"}
    return keys | {key for key in EXPECTED if key.endswith("[elsewhere]")}


@pytest.fixture
def site():
    home = RegionFactory(name="Калининград", slug="kaliningrad")
    other = RegionFactory(name="Казань", slug="kazan")
    users = {
        "journalist": staff_user(
            "journalist", JOURNALIST_GROUP, **{RegionalRole.JOURNALIST: [home]}
        ),
        "regional-editor": staff_user(
            "regional-editor", REGIONAL_EDITOR_GROUP, **{RegionalRole.EDITOR: [home]}
        ),
        "chief-editor": staff_user("chief-editor", CHIEF_EDITOR_GROUP),
        "admin": staff_user("admin", ADMIN_GROUP),
    }
    author = AuthorFactory(slug="sokolova")
    story = ArticleFactory(region=home, tags=["пожары"], authors=[author])
    draft = ArticleFactory(region=home, draft=True, created_by=users["journalist"])
    elsewhere = ArticleFactory(region=other, draft=True)
    unused = {
        "region": RegionFactory(slug="spare"),
        "author": AuthorFactory(slug="spare"),
        "photo": PhotoFactory(),
    }
    tag = story.tags.get()
    day = story.published_at.astimezone(home.zone)
    args = {
        "admin:view_on_site": {
            "content_type_id": ContentType.objects.get_for_model(story).pk,
            "object_id": story.pk,
        },
        "sitemap_section": {"section": "stories"},
        "articles:tag_detail": {"tag": tag.slug},
        "articles:tag_feed": {"tag": tag.slug},
        "articles:author_detail": {"author": author.slug},
        "articles:author_feed": {"author": author.slug},
        "articles:region_detail": {"region": home.slug},
        "articles:region_feed": {"region": home.slug},
        "articles:region_full_text_feed": {"region": home.slug},
        "articles:region_day_archive": {
            "region": home.slug,
            "year": day.year,
            "month": day.month,
            "day": day.day,
        },
        "articles:article_detail": {"region": home.slug, "pk": story.pk, "slug": story.slug},
        "indexnow_key": {"key": "a1b2c3d4e5f6"},
    }
    objects = {
        "region": unused["region"],
        "author": unused["author"],
        "photo": unused["photo"],
        "tag": tag,
        "article": draft,
        "user": users["journalist"],
        "group": users["admin"].groups.get(),
        # A queued task (the queue keeps it in the site's database) for the task admin's pages.
        "dbtaskresult": DBTaskResult.objects.get(pk=ping_indexnow.enqueue(article_id=story.pk).id),
        "accessattempt": AccessAttempt.objects.create(
            username="journalist", ip_address="192.0.2.1", failures_since_start=2
        ),
    }
    for headline in ("Первая версия", "Вторая версия"):
        draft.headline = headline
        with revisions.revision(users["journalist"], "Сохранено"):
            draft.save()
            revisions.keep(draft)
    versions = sorted(revisions.history(draft).values_list("pk", flat=True))
    # Minted for the story's last save: a preview link shows one version.
    args["articles:article_preview"] = {"token": preview_token(draft)}
    return {
        "users": users,
        "args": args,
        "objects": objects,
        "elsewhere": elsewhere,
        "versions": versions,
    }


def admin_model_url(site, name: str, variant: str) -> str | None:
    """The URL of an admin model view key (`admin:<app>_<model>_<view>`), or None."""
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if not name.startswith(prefix):
            continue
        view = name.removeprefix(prefix)
        if view in ("changelist", "add", "queue", "links"):
            return reverse(name)
        obj = (
            site["elsewhere"] if variant == "elsewhere" else site["objects"][model._meta.model_name]
        )
        object_id = obj.pk if obj is not None else 1
        if view == "object":
            return reverse(f"{prefix}change", args=[object_id]).removesuffix("change/")
        return reverse(name, args=[object_id])
    return None


SPECIAL = {
    "admin:app_list": lambda site, label: reverse("admin:app_list", kwargs={"app_label": label}),
    "admin:autocomplete": lambda site, _: (
        reverse("admin:autocomplete")
        + "?app_label=articles&model_name=article&field_name=region&term="
    ),
    "admin/(?P<url>.*)$": lambda site, _: "/admin/no-such-page/",
    "admin:articles_photo_pending": lambda site, _: reverse(
        "admin:articles_photo_pending", args=["forged-token"]
    ),
    "^media/(?P<path>.*)$": lambda site, _: "/media/photos/none.jpg",
    "favicon.ico": lambda site, _: "/favicon.ico",
    "admin:articles_article_revisions": lambda site, variant: reverse(
        "admin:articles_article_revisions",
        args=[(site["elsewhere"] if variant == "elsewhere" else site["objects"]["article"]).pk],
    ),
    "admin:articles_article_compare": lambda site, _: (
        reverse("admin:articles_article_compare", args=[site["objects"]["article"].pk])
        + "?from={}&to={}".format(*site["versions"])
    ),
    "admin:articles_article_restore": lambda site, _: reverse(
        "admin:articles_article_restore",
        args=[site["objects"]["article"].pk, site["versions"][0]],
    ),
    "admin:articles_article_presence": lambda site, _: reverse(
        "admin:articles_article_presence", args=[site["objects"]["article"].pk]
    ),
}


def request_for(site, key: str) -> str:
    """The URL to GET for a matrix key."""
    name, _, variant = key.partition("[")
    variant = variant.rstrip("]")
    if name in SPECIAL:
        return SPECIAL[name](site, variant)
    return admin_model_url(site, name, variant) or reverse(name, kwargs=site["args"].get(name))


def test_every_url_has_an_expected_answer_for_every_role():
    missing = sorted(set(matrix_keys()) - set(EXPECTED))
    assert not missing, f"URLs with no row in the access matrix: {missing}"


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_role_as_expected(client, site, role):
    if role != "anonymous":
        client.force_login(site["users"][role])
    wrong = {}
    for key in sorted(matrix_keys()):
        url = request_for(site, key)
        status = client.get(url).status_code
        if status != EXPECTED[key][role]:
            wrong[key] = (url, status, EXPECTED[key][role])
    assert not wrong, "\n".join(
        f"{k}: GET {u} → {s}, expected {e}" for k, (u, s, e) in wrong.items()
    )
