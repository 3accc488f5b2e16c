"""Revisions: every save kept whole, compared word by word, restored by the rules of an edit."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Revision, Version

from articles.models import Article, RegionalRole
from articles.publishing import revisions, workflow
from articles.publishing.corrections import add_correction
from articles.publishing.roles import JOURNALIST_GROUP, REGIONAL_EDITOR_GROUP
from tests.desk import staff_user, story_data
from tests.factories import ArticleFactory, AuthorFactory, PhotoFactory, RegionFactory

pytestmark = pytest.mark.django_db

J, E = RegionalRole.JOURNALIST, RegionalRole.EDITOR


@pytest.fixture
def desk():
    home = RegionFactory(name="Калининград", slug="kaliningrad", time_zone="Europe/Kaliningrad")
    other = RegionFactory(name="Казань", slug="kazan")
    return {
        "home": home,
        "other": other,
        "journalist": staff_user("journalist", JOURNALIST_GROUP, **{J: [home]}),
        "editor": staff_user("regional-editor", REGIONAL_EDITOR_GROUP, **{E: [home]}),
        "other_editor": staff_user("other-editor", REGIONAL_EDITOR_GROUP, **{E: [other]}),
    }


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def save_in_desk(client, article, **fields):
    response = client.post(change_url(article), story_data(article, **fields))
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    return article


def test_every_desk_save_keeps_the_whole_story(client, desk):
    author, target = AuthorFactory(name="Ирина Волкова"), ArticleFactory(region=desk["home"])
    story = ArticleFactory(region=desk["home"], draft=True, created_by=desk["journalist"])
    client.force_login(desk["journalist"])
    save_in_desk(
        client,
        story,
        headline="Мост закрыт на ремонт",
        body="<p>Движение перекрыто до понедельника.</p>",
        tags=["new:ремонт"],
        **{
            "bylines-TOTAL_FORMS": "1",
            "bylines-0-author": author.pk,
            "bylines-0-position": "0",
            "related_links-TOTAL_FORMS": "1",
            "related_links-0-position": "0",
            "related_links-0-title": "Как объехать",
            "related_links-0-target_article": target.pk,
        },
    )
    [version] = revisions.history(story)
    assert version.revision.user == desk["journalist"]
    kept = revisions.snapshot(version)
    assert kept.fields["headline"] == "Мост закрыт на ремонт"
    assert "Движение перекрыто" in kept.fields["body"]
    assert kept.bylines == [author.pk]
    assert [t["title"] for t in kept.teasers] == ["Как объехать"]
    assert kept.tags == list(story.tags.values_list("pk", flat=True))


def test_workflow_steps_and_corrections_keep_revisions_too(desk):
    story = ArticleFactory(region=desk["home"], in_review=True)
    workflow.publish(article=story, user=desk["editor"], comment="В номер")
    add_correction(article=story, user=desk["editor"], text="Исправлено имя.")
    comments = [v.revision.get_comment() for v in revisions.history(story)]
    assert comments[0].startswith("Исправление: Исправлено имя.")
    assert comments[1] == "Опубликовать. В номер"
    statuses = [revisions.snapshot(v).fields["status"] for v in revisions.history(story)]
    assert statuses == ["published", "published"]


def test_comparison_is_a_word_level_diff_in_russian_and_the_rest_field_by_field(client, desk):
    story = ArticleFactory(
        region=desk["home"],
        headline="Пожар на складе потушен",
        lead="Пожарные работали всю ночь.",
        body="<p>Огонь охватил склад на окраине.</p>",
        tags=["пожары"],
    )
    client.force_login(desk["editor"])
    save_in_desk(client, story, tags=[str(story.tags.get().pk)])
    save_in_desk(
        client,
        story,
        headline="Пожар на складе локализован",
        body="<p>Огонь охватил два склада на окраине.</p>",
        tags=[],
        is_breaking="on",
    )
    newest, oldest = revisions.history(story)
    page = client.get(
        reverse("admin:articles_article_compare", args=[story.pk]),
        {"from": oldest.pk, "to": newest.pk},
    ).content.decode()
    assert "<del>потушен</del><ins>локализован</ins>" in page
    assert "<del>склад</del><ins>два склада</ins>" in page
    assert "срочная новость" in page.lower() and "пожары" in page  # field by field


def test_word_diff_escapes_what_it_shows():
    diff = revisions.word_diff("<b>старый</b>", "<script>alert(1)</script> новый")
    assert "<script" not in diff and "<b>" not in diff
    assert "alert(1)" in diff and "&lt;" in diff


def test_restore_brings_back_text_bylines_teasers_and_tags_as_a_new_revision(client, desk):
    author = AuthorFactory()
    story = ArticleFactory(region=desk["home"], headline="Первый заголовок", tags=["город"])
    client.force_login(desk["editor"])
    save_in_desk(
        client,
        story,
        **{"bylines-TOTAL_FORMS": "1", "bylines-0-author": author.pk, "bylines-0-position": "0"},
        tags=[str(story.tags.get().pk)],
    )
    first = revisions.history(story).first()
    save_in_desk(client, story, headline="Второй заголовок", tags=[])
    story.bylines.all().delete()
    status_before = story.status
    response = client.post(
        reverse("admin:articles_article_restore", args=[story.pk, first.pk]), follow=True
    )
    assert "Версия восстановлена" in response.content.decode()
    story.refresh_from_db()
    assert story.headline == "Первый заголовок"
    assert list(story.authors.all()) == [author]
    assert list(story.tags.names()) == ["город"]
    assert story.status == status_before
    assert revisions.history(story).count() == 3
    assert revisions.history(story).first().revision.get_comment().startswith("Восстановлена")


def test_a_journalist_cannot_restore_into_a_published_story(client, desk):
    story = ArticleFactory(region=desk["home"], created_by=desk["journalist"])
    with revisions.revision(desk["editor"], "x"):
        revisions.keep(story)
    version = revisions.history(story).first()
    client.force_login(desk["journalist"])
    url = reverse("admin:articles_article_restore", args=[story.pk, version.pk])
    assert client.post(url).status_code == 403
    with pytest.raises(revisions.RestoreError):
        revisions.restore(article=story, version=version, user=desk["journalist"])


def test_a_version_of_another_story_or_region_is_not_found(client, desk):
    ours = ArticleFactory(region=desk["home"])
    theirs = ArticleFactory(region=desk["other"])
    for story in (ours, theirs):
        with revisions.revision(desk["editor"], "x"):
            revisions.keep(story)
    their_version = revisions.history(theirs).first()
    client.force_login(desk["editor"])
    for url in (
        reverse("admin:articles_article_restore", args=[ours.pk, their_version.pk]),
        reverse("admin:articles_article_restore", args=[theirs.pk, their_version.pk]),
        reverse("admin:articles_article_revisions", args=[theirs.pk]),
        reverse("admin:articles_article_compare", args=[ours.pk])
        + f"?from={their_version.pk}&to={their_version.pk}",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code in (404, 405), url
    with pytest.raises(revisions.RestoreError):
        revisions.restore(article=ours, version=their_version, user=desk["editor"])


@pytest.mark.parametrize("version_id", ["abc", "-1", "9" * 30, "1.5"])
def test_a_malformed_version_is_not_found(client, desk, version_id):
    story = ArticleFactory(region=desk["home"])
    client.force_login(desk["editor"])
    url = reverse("admin:articles_article_compare", args=[story.pk])
    assert client.get(url, {"from": version_id, "to": version_id}).status_code == 404
    assert client.get(url).status_code == 404


def test_a_restored_body_goes_through_the_sanitizer(desk):
    story = ArticleFactory(region=desk["home"])
    with revisions.revision(desk["editor"], "x"):
        revisions.keep(story)
    version = revisions.history(story).first()
    # A version row written around the desk, with markup the allow-list does not keep.
    data = json.loads(version.serialized_data)
    data[0]["fields"]["body"] = '<p onclick="x()">Текст</p><script>alert(1)</script>\x00'
    Version.objects.filter(pk=version.pk).update(serialized_data=json.dumps(data))
    version.refresh_from_db()
    restored = revisions.restore(article=story, version=version, user=desk["editor"])
    assert restored.body == "<p>Текст</p>"


def test_story_page_and_changelist_query_counts_do_not_grow_with_revisions(client, desk):
    story = ArticleFactory(region=desk["home"], headline="Новость с историей")
    client.force_login(desk["editor"])
    list_url = reverse("admin:articles_article_changelist")

    def counts():
        with CaptureQueriesContext(connection) as page:
            client.get(story.get_absolute_url())
        with CaptureQueriesContext(connection) as desk_list:
            client.get(list_url)
        return len(page), len(desk_list)

    client.get(story.get_absolute_url())  # warm the region navigation cache
    before = counts()
    for n in range(25):
        with revisions.revision(desk["editor"], f"#{n}"):
            story.save()
            revisions.keep(story)
    assert counts() == before


def test_pruning_keeps_every_published_version_and_the_newest(desk):
    story = ArticleFactory(region=desk["home"], draft=True)
    old = timezone.now() - datetime.timedelta(days=400)

    def version_at(moment, status):
        Article.objects.filter(pk=story.pk).update(
            status=status, published_at=moment if status == "published" else None
        )
        story.refresh_from_db()
        with revisions.revision(desk["editor"], status):
            reversion_date(moment)
            revisions.keep(story)

    def reversion_date(moment):
        import reversion

        reversion.set_date_created(moment)

    version_at(old, "draft")
    version_at(old + datetime.timedelta(hours=1), "published")
    version_at(old + datetime.timedelta(hours=2), "draft")
    version_at(timezone.now() - datetime.timedelta(days=1), "draft")
    call_command("prune_revisions", days=365, verbosity=0)
    kept = [revisions.snapshot(v).fields["status"] for v in revisions.history(story)]
    assert kept == ["draft", "published"]
    assert Revision.objects.count() == 2


def test_photo_region_and_author_saves_in_the_desk_keep_revisions(admin_client):
    region = RegionFactory()
    photo = PhotoFactory()
    admin_client.post(
        reverse("admin:articles_region_change", args=[region.pk]),
        {
            "name": "Новое имя",
            "slug": region.slug,
            "time_zone": region.time_zone,
            "position": 0,
            "is_active": "on",
            "description": "",
        },
    )
    admin_client.post(
        reverse("admin:articles_photo_change", args=[photo.pk]),
        {"alt_text": "Новый текст", "credit": "Автор", "caption": "", "source_url": ""},
    )
    assert Version.objects.get_for_object(region).count() == 1
    assert Version.objects.get_for_object(photo).count() == 1
