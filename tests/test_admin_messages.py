"""Every message of the desk that names a headline, a region, a tag or a person shows the name as
text: a hostile name never becomes markup, on each path that reports success or a refusal."""

import lxml.html
import pytest
from django.urls import reverse

from articles.models import Article, Author, Region, RegionalRole, Tag
from articles.publishing.concurrency import list_seen_token
from articles.publishing.roles import ADMIN_GROUP, JOURNALIST_GROUP, REGIONAL_EDITOR_GROUP
from tests.desk import article_form_data, staff_user, story_data
from tests.factories import ArticleFactory, AuthorFactory, PhotoFactory, RegionFactory

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script>"
LIST = reverse("admin:articles_article_changelist")


def messages_of(response) -> list[str]:
    """The desk's messages as a reader sees them, after checking that none of them is markup
    and that the hostile text appears nowhere on the page as markup."""
    page = response.content.decode()
    assert HOSTILE not in page, "a hostile name reached the page unescaped"
    items = lxml.html.fromstring(page).xpath("//ul[@class='messagelist']/li")
    assert items, "no message on the page"
    for item in items:
        assert not item.xpath(".//script | .//*[@onerror] | .//*[@onload]")
    return [item.text_content() for item in items]


def assert_named(response, name: str = HOSTILE) -> None:
    shown = messages_of(response)
    assert any(name in message for message in shown), shown


@pytest.fixture
def region():
    return RegionFactory(name=f"Регион {HOSTILE}", slug="kaliningrad")


@pytest.fixture
def admin(client):
    client.force_login(staff_user("admin", ADMIN_GROUP))
    return client


def test_adding_a_story(admin, region):
    data = article_form_data(region, headline=HOSTILE, slug="hostile")
    assert_named(admin.post(reverse("admin:articles_article_add"), data, follow=True))
    assert Article.objects.get().headline == HOSTILE


def test_changing_a_story_and_taking_a_step(admin, region):
    story = ArticleFactory(region=region, draft=True, headline="Обычный заголовок")
    url = reverse("admin:articles_article_change", args=[story.pk])
    data = story_data(story, headline=HOSTILE, _continue="1")
    assert_named(admin.post(url, data, follow=True))
    story.refresh_from_db()
    stepped = admin.post(url, story_data(story, _transition="submit"), follow=True)
    assert any("Статус:" in message for message in messages_of(stepped))


def test_deleting_a_story(admin, region):
    story = ArticleFactory(region=region, draft=True, headline=HOSTILE)
    url = reverse("admin:articles_article_delete", args=[story.pk])
    assert_named(admin.post(url, {"post": "yes"}, follow=True))
    assert not Article.objects.exists()


def test_bulk_steps_report_refusals_with_the_headline_and_region_as_text(client, region):
    journalist = staff_user("journalist", JOURNALIST_GROUP, **{RegionalRole.JOURNALIST: [region]})
    mine = ArticleFactory(region=region, draft=True, created_by=journalist, headline=HOSTILE)
    client.force_login(journalist)

    refused = client.post(
        LIST,
        {"action": "publish_selected", "_selected_action": [mine.pk], "seen_at": list_seen_token()},
        follow=True,
    )
    assert_named(refused)
    assert_named(refused, f"Регион {HOSTILE}")
    submitted = client.post(
        LIST,
        {"action": "submit_selected", "_selected_action": [mine.pk], "seen_at": list_seen_token()},
        follow=True,
    )
    assert "Отправлено на проверку: 1." in messages_of(submitted)


def test_bulk_unpublish_and_delete(client, region):
    editor = staff_user("editor", REGIONAL_EDITOR_GROUP, **{RegionalRole.EDITOR: [region]})
    live = ArticleFactory(region=region, headline=HOSTILE)
    draft = ArticleFactory(region=region, draft=True, headline=f"{HOSTILE} 2")
    client.force_login(editor)

    unpublish = {"action": "unpublish_selected", "_selected_action": [live.pk, draft.pk]}
    unpublish["seen_at"] = list_seen_token()
    response = client.post(LIST, unpublish, follow=True)
    assert "Снято с публикации: 1." in messages_of(response)
    assert_named(response, f"{HOSTILE} 2")  # the draft, refused by name
    delete = {"action": "delete_allowed", "_selected_action": [live.pk, draft.pk]}
    delete["seen_at"] = list_seen_token()  # the list as shown after the unpublishing
    assert "Удалено: 2." in messages_of(client.post(LIST, delete, follow=True))


def test_merging_tags(admin):
    ArticleFactory(tags=[HOSTILE, "пожары"])
    keep, other = Tag.objects.get(name=HOSTILE), Tag.objects.get(name="пожары")
    response = admin.post(
        reverse("admin:articles_tag_changelist"),
        {
            "action": "merge_selected",
            "_selected_action": [keep.pk, other.pk],
            "apply": "1",
            "target": keep.pk,
        },
        follow=True,
    )
    assert_named(response)


def test_library_adds_and_changes(admin):
    added = admin.post(
        reverse("admin:articles_region_add"),
        {
            "name": HOSTILE,
            "slug": "hostile",
            "time_zone": "Europe/Moscow",
            "position": "0",
            "is_active": "on",
            "description": "",
        },
        follow=True,
    )
    assert_named(added)
    region = Region.objects.get(slug="hostile")
    changed = admin.post(
        reverse("admin:articles_region_change", args=[region.pk]),
        {
            "name": f"{HOSTILE} 2",
            "slug": "hostile",
            "time_zone": "Europe/Moscow",
            "position": "0",
            "description": "",
        },
        follow=True,
    )
    assert_named(changed, f"{HOSTILE} 2")

    author = AuthorFactory()
    renamed = admin.post(
        reverse("admin:articles_author_change", args=[author.pk]),
        {"name": HOSTILE, "slug": author.slug, "job_title": "", "bio": "", "is_active": "on"},
        follow=True,
    )
    assert_named(renamed)
    assert Author.objects.get(pk=author.pk).name == HOSTILE
    photo = PhotoFactory()
    recaptioned = admin.post(
        reverse("admin:articles_photo_change", args=[photo.pk]),
        {"alt_text": HOSTILE, "caption": "", "credit": "Фото", "source_url": ""},
        follow=True,
    )
    assert_named(recaptioned)
    deleted = admin.post(
        reverse("admin:articles_author_delete", args=[author.pk]), {"post": "yes"}, follow=True
    )
    assert_named(deleted)
