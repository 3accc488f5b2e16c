"""Two people, one story; a double click; a huge body: nothing saved is lost, nothing is doubled."""

import re

import pytest
from django.core import signing
from django.urls import reverse

from articles.models import Article, RegionalRole, RelatedLink
from articles.publishing import concurrency
from articles.publishing.roles import CHIEF_EDITOR_GROUP, REGIONAL_EDITOR_GROUP
from tests.desk import article_form_data, staff_user, story_data
from tests.factories import ArticleFactory, RegionFactory, RelatedLinkFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:articles_article_add")
LIST = reverse("admin:articles_article_changelist")


@pytest.fixture
def desk():
    home = RegionFactory(name="Калининград", slug="kaliningrad", time_zone="Europe/Kaliningrad")
    anna = staff_user("anna", REGIONAL_EDITOR_GROUP, **{RegionalRole.EDITOR: [home]})
    anna.first_name, anna.last_name = "Анна", "Смирнова"
    anna.save()
    return {
        "home": home,
        "anna": anna,
        "boris": staff_user("boris", CHIEF_EDITOR_GROUP),
    }


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def errors_of(response):
    form = response.context["adminform"].form
    return " ".join(str(e) for e in form.non_field_errors())


def test_the_second_of_two_saves_is_refused_and_keeps_its_text(client, desk):
    story = ArticleFactory(region=desk["home"], headline="Исходный заголовок")
    client.force_login(desk["boris"])
    assert client.post(change_url(story), story_data(story)).status_code == 302  # a first save
    opened_by_boris = story_data(story)  # Boris opens the form again…
    client.force_login(desk["anna"])  # …Anna opens it too, and saves first
    assert (
        client.post(change_url(story), story_data(story, headline="Заголовок Анны")).status_code
        == 302
    )

    client.force_login(desk["boris"])
    response = client.post(change_url(story), opened_by_boris | {"headline": "Заголовок Бориса"})
    assert response.status_code == 200
    message = errors_of(response)
    assert "Анна Смирнова" in message and "сохранил" in message
    page = response.content.decode()
    assert 'value="Заголовок Бориса"' in page  # his text is still in the form
    compare = re.search(r'href="(/admin/articles/article/\d+/revisions/compare/[^"]+)"', page)
    diff = client.get(compare.group(1).replace("&amp;", "&")).content.decode()
    assert "<del>Исходный заголовок</del><ins>Заголовок Анны</ins>" in diff
    story.refresh_from_db()
    assert story.headline == "Заголовок Анны"

    # Seen what Anna changed, Boris saves over it on purpose.
    response = client.post(
        change_url(story), opened_by_boris | {"headline": "Заголовок Бориса", "overwrite": "on"}
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.headline == "Заголовок Бориса"


def test_a_stale_save_of_the_teaser_block_changes_no_teaser(client, desk):
    story = ArticleFactory(region=desk["home"])
    link = RelatedLinkFactory(article=story, title="Карта", position=0)
    stale = story_data(
        story,
        **{
            "related_links-TOTAL_FORMS": "1",
            "related_links-INITIAL_FORMS": "1",
            "related_links-0-id": link.pk,
            "related_links-0-article": story.pk,
            "related_links-0-position": "0",
            "related_links-0-title": "Карта пожаров (устаревшая)",
            "related_links-0-external_url": link.external_url,
        },
    )
    client.force_login(desk["anna"])
    client.post(change_url(story), story_data(story, lead="Новая подводка."))
    client.force_login(desk["boris"])
    assert client.post(change_url(story), stale).status_code == 200
    assert RelatedLink.objects.get().title == "Карта"


def test_a_workflow_step_from_a_stale_form_is_refused(client, desk):
    story = ArticleFactory(region=desk["home"], in_review=True)
    stale = story_data(story, _transition="publish")
    client.force_login(desk["anna"])
    client.post(change_url(story), story_data(story, lead="Правка."))
    client.force_login(desk["boris"])
    response = client.post(change_url(story), stale)
    assert response.status_code == 200 and "Анна Смирнова" in errors_of(response)
    story.refresh_from_db()
    assert story.status == Article.Status.REVIEW


@pytest.mark.parametrize("token", ["", "garbage", "1:2:3", "x" * 5000, "Привет"])
def test_a_missing_or_forged_edit_token_is_refused(client, desk, token):
    story = ArticleFactory(region=desk["home"], headline="Как было")
    client.force_login(desk["anna"])
    response = client.post(change_url(story), story_data(story, headline="Новое", edit_token=token))
    assert response.status_code == 200 and "отметки версии" in errors_of(response)
    assert 'value="Новое"' in response.content.decode()
    story.refresh_from_db()
    assert story.headline == "Как было"


def test_a_token_of_another_story_is_refused_even_with_overwrite(client, desk):
    story, other = ArticleFactory(region=desk["home"]), ArticleFactory(region=desk["home"])
    client.force_login(desk["anna"])
    data = story_data(story, headline="Подмена", overwrite="on")
    data["edit_token"] = concurrency.edit_token(other)
    response = client.post(change_url(story), data)
    assert response.status_code == 200 and "другого материала" in errors_of(response)


def test_a_token_signed_with_another_salt_is_refused(client, desk):
    story = ArticleFactory(region=desk["home"])
    client.force_login(desk["anna"])
    forged = signing.dumps([story.pk, 0], salt="articles.publishing.previews")
    response = client.post(change_url(story), story_data(story, edit_token=forged, overwrite="on"))
    assert response.status_code == 200


def test_a_double_clicked_add_form_makes_one_story(client, desk):
    client.force_login(desk["anna"])
    data = article_form_data(desk["home"], headline="Срочно: перекрыт мост")
    assert client.post(ADD, data).status_code == 302
    again = client.post(ADD, data)  # the same form, sent a second time
    assert again.status_code == 200
    assert "уже сохранена" in errors_of(again)
    assert "Открыть сохранённый материал" in again.content.decode()
    assert Article.objects.count() == 1


def test_an_add_form_without_its_key_is_refused(client, desk):
    client.force_login(desk["anna"])
    for key in ("", "not-a-uuid", "1" * 40):
        response = client.post(ADD, article_form_data(desk["home"], form_key=key))
        assert response.status_code == 200 and "Форма устарела" in errors_of(response)
    assert not Article.objects.exists()


def test_a_bulk_step_skips_stories_changed_since_the_list_was_shown(client, desk):
    changed = ArticleFactory(region=desk["home"], in_review=True, headline="Изменённый")
    untouched = ArticleFactory(region=desk["home"], in_review=True, headline="Нетронутый")
    client.force_login(desk["boris"])
    page = client.get(LIST).content.decode()
    seen_at = re.search(r'name="seen_at" value="([^"]+)"', page).group(1)
    client.force_login(desk["anna"])
    client.post(change_url(changed), story_data(changed, lead="Правка Анны."))
    client.force_login(desk["boris"])
    response = client.post(
        LIST,
        {
            "action": "publish_selected",
            "_selected_action": [changed.pk, untouched.pk],
            "seen_at": seen_at,
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Опубликовано: 1." in page and "изменён после того, как вы открыли список" in page
    assert dict(Article.objects.values_list("headline", "status")) == {
        "Изменённый": "review",
        "Нетронутый": "published",
    }


@pytest.mark.parametrize("seen_at", ["", "forged", signing.dumps(1, salt="other")])
def test_a_bulk_step_without_a_valid_list_time_changes_nothing(client, desk, seen_at):
    story = ArticleFactory(region=desk["home"], in_review=True)
    client.force_login(desk["boris"])
    client.post(
        LIST, {"action": "publish_selected", "_selected_action": [story.pk], "seen_at": seen_at}
    )
    story.refresh_from_db()
    assert story.status == Article.Status.REVIEW


def test_a_huge_body_comes_back_with_a_russian_error_and_the_text_intact(client, desk):
    story = ArticleFactory(region=desk["home"], draft=True)
    body = "<p>" + "Очень длинный текст. " * 120_000 + "</p>"  # about 2.5 million characters
    client.force_login(desk["anna"])
    response = client.post(change_url(story), story_data(story, body=body))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "Текст длиннее" in str(form.errors["body"])
    assert form["body"].value() == body
    story.refresh_from_db()
    assert "Очень длинный" not in story.body


def test_a_request_over_the_size_limit_is_a_russian_page_not_a_bare_400(client, desk, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    story = ArticleFactory(region=desk["home"])
    client.force_login(desk["anna"])
    response = client.post(change_url(story), story_data(story, body="я" * 1_200_000))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Форма больше 1 МБ" in page and "Ваш текст остался в браузере" in page
    assert "Bad Request" not in page


def test_the_form_names_who_else_has_the_story_open(client, desk):
    story = ArticleFactory(region=desk["home"])
    client.force_login(desk["anna"])
    client.get(change_url(story))
    client.force_login(desk["boris"])
    page = client.get(change_url(story)).content.decode()
    assert "Сейчас материал открыт и у коллег" in page and "Анна Смирнова" in page
    beat = client.post(reverse("admin:articles_article_presence", args=[story.pk]))
    assert beat.json() == {"others": ["Анна Смирнова"]}
    assert (
        client.get(reverse("admin:articles_article_presence", args=[story.pk])).status_code == 405
    )
