import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, Photo, Region, Tag
from tests.desk import article_form_data, story_data
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    PhotoFactory,
    RegionFactory,
    make_image_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["region", "author", "photo", "article", "tag"])
def test_changelist_and_add_form_of_every_model_render_in_russian(admin_client, model):
    ArticleFactory(main_photo=PhotoFactory(), authors=[AuthorFactory()], tags=["выборы"])
    changelist = admin_client.get(reverse(f"admin:articles_{model}_changelist"))
    add = admin_client.get(reverse(f"admin:articles_{model}_add"))
    assert changelist.status_code == 200 and add.status_code == 200
    assert "Сохранить" in add.content.decode()


@pytest.mark.parametrize("factory", [RegionFactory, AuthorFactory, PhotoFactory, ArticleFactory])
def test_change_form_of_every_model_renders(admin_client, factory):
    obj = factory()
    url = reverse(f"admin:articles_{obj._meta.model_name}_change", args=[obj.pk])
    assert admin_client.get(url).status_code == 200


def test_article_changelist_query_count_does_not_grow_with_rows(admin_client):
    url = reverse("admin:articles_article_changelist")

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url).status_code == 200
        return len(queries)

    region = RegionFactory()
    ArticleFactory(region=region, main_photo=PhotoFactory(), authors=[AuthorFactory()], tags=["a"])
    one = count_queries()
    for i in range(19):
        ArticleFactory(
            region=RegionFactory(),
            main_photo=PhotoFactory(),
            authors=[AuthorFactory(), AuthorFactory()],
            tags=[f"тег {i}", "общий"],
        )
    twenty = count_queries()
    assert one == twenty, f"{one} queries for one story, {twenty} for twenty"


def test_changelist_shows_region_time_and_authors(admin_client):
    author = AuthorFactory(name="Ирина Волкова")
    ArticleFactory(
        region=RegionFactory(time_zone="Asia/Vladivostok"),
        published_at=datetime.datetime(2024, 5, 5, 2, 3, tzinfo=datetime.UTC),
        authors=[author],
    )
    page = admin_client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "5 мая 2024, 12:03" in page
    assert "Ирина Волкова" in page


def test_new_story_gets_latin_slug_tags_byline_and_teasers(admin_client):
    region = RegionFactory()
    author = AuthorFactory()
    target = ArticleFactory()
    existing_tag = Tag.objects.create(name="пожары")
    data = article_form_data(
        region,
        tags=[str(existing_tag.pk), "new:Московский проспект", "new:2026"],
        **{
            "bylines-TOTAL_FORMS": "1",
            "bylines-0-author": author.pk,
            "bylines-0-position": "0",
            "related_links-TOTAL_FORMS": "2",
            "related_links-0-position": "0",
            "related_links-0-kicker": "Pro",
            "related_links-0-title": "Как тушат склады",
            "related_links-0-target_article": target.pk,
            "related_links-1-position": "1",
            "related_links-1-title": "Карта пожаров",
            "related_links-1-external_url": "https://example.org/map",
        },
    )
    response = admin_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.exclude(pk=target.pk).get()
    assert article.slug == "pozhar-na-moskovskom-prospekte-potushen"
    assert sorted(article.tags.names()) == ["2026", "Московский проспект", "пожары"]
    assert list(article.authors.all()) == [author]
    assert [link.title for link in article.related_links.all()] == [
        "Как тушат склады",
        "Карта пожаров",
    ]
    assert article.created_by.username == "admin"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("related_links-0-external_url", "javascript:alert(1)"),
        ("related_links-0-external_url", "https://user:pw@example.org/"),
        ("related_links-0-external_url", "https://example.org/" + "a" * 2100),
    ],
)
def test_bad_teaser_url_is_a_form_error_and_the_text_is_kept(admin_client, field, value):
    data = article_form_data(
        RegionFactory(),
        **{
            "related_links-TOTAL_FORMS": "1",
            "related_links-0-position": "0",
            "related_links-0-title": "Ссылка",
            field: value,
        },
    )
    response = admin_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    assert not Article.objects.exists()
    page = response.content.decode()
    assert "Пожар на Московском проспекте потушен" in page
    assert "errorlist" in page


def test_teaser_with_both_a_story_and_a_url_is_a_form_error(admin_client):
    target = ArticleFactory()
    data = article_form_data(
        RegionFactory(),
        **{
            "related_links-TOTAL_FORMS": "1",
            "related_links-0-position": "0",
            "related_links-0-title": "Ссылка",
            "related_links-0-target_article": target.pk,
            "related_links-0-external_url": "https://example.org/",
        },
    )
    response = admin_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    assert "ровно одно из двух" in response.content.decode()
    assert Article.objects.count() == 1


@pytest.mark.parametrize(
    ("headline", "slug", "message"),
    [
        ("🔥🔥🔥", "", "введите его вручную"),
        ("Заголовок", "не-латиница", "Значение должно состоять"),
    ],
)
def test_unusable_slug_is_a_form_error(admin_client, headline, slug, message):
    data = article_form_data(RegionFactory(), headline=headline, slug=slug)
    response = admin_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "tags",
    [["999999"], ["not-an-id"], ["new:" + "я" * 101], [f"new:тег {i}" for i in range(31)]],
)
def test_bad_tag_values_are_form_errors(admin_client, tags):
    data = article_form_data(RegionFactory(), tags=tags)
    response = admin_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    assert not Article.objects.exists()


def test_body_is_sanitized_when_saved_from_the_desk(admin_client):
    data = article_form_data(
        RegionFactory(), body='<p onmouseover="x()">Текст<script>alert(1)</script></p>'
    )
    assert admin_client.post(reverse("admin:articles_article_add"), data).status_code == 302
    assert Article.objects.get().body == "<p>Текст</p>"


def test_reserved_and_colliding_region_slugs_are_form_errors(admin_client):
    RegionFactory(name="Калининград", slug="kaliningrad")
    url = reverse("admin:articles_region_add")
    base = {"time_zone": "Europe/Kaliningrad", "position": "1", "is_active": "on"}
    reserved = admin_client.post(url, {**base, "name": "Поиск", "slug": "search"})
    taken = admin_client.post(url, {**base, "name": "Калининград 2", "slug": "kaliningrad"})
    assert "занят служебной страницей" in reserved.content.decode()
    assert "уже существует" in taken.content.decode()
    assert Region.objects.count() == 1


def test_story_form_shows_and_reads_time_on_the_region_clock(admin_client):
    article = ArticleFactory(
        region=RegionFactory(time_zone="Asia/Vladivostok"),
        published_at=datetime.datetime(2024, 5, 5, 2, 3, tzinfo=datetime.UTC),
    )
    url = reverse("admin:articles_article_change", args=[article.pk])
    page = admin_client.get(url).content.decode()
    assert 'value="12:03:00"' in page
    assert 'часовому поясу <span class="region-clock">Asia/Vladivostok</span>' in page
    data = story_data(article, published_at_0="05.05.2024", published_at_1="13:00:00")
    assert admin_client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.published_at == datetime.datetime(2024, 5, 5, 3, 0, tzinfo=datetime.UTC)


def test_view_on_site_only_for_published_stories(admin_client):
    published = ArticleFactory()
    draft = ArticleFactory(draft=True)

    def page(article):
        return admin_client.get(
            reverse("admin:articles_article_change", args=[article.pk])
        ).content.decode()

    assert published.get_absolute_url() in page(published)
    assert "viewsitelink" not in page(draft)


@pytest.mark.parametrize(
    ("make", "model"),
    [
        (lambda: ArticleFactory().region, "region"),
        (lambda: ArticleFactory(authors=[AuthorFactory()]).authors.get(), "author"),
        (lambda: ArticleFactory(main_photo=PhotoFactory()).main_photo, "photo"),
    ],
)
def test_deleting_something_in_use_explains_why_instead_of_erroring(admin_client, make, model):
    obj = make()
    url = reverse(f"admin:articles_{model}_delete", args=[obj.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "Удалить не получится" in page.content.decode()
    assert admin_client.post(url, {"post": "yes"}).status_code == 200
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_tag_merge_moves_stories_and_removes_the_other_tags(admin_client):
    both = ArticleFactory(tags=["пожар", "пожары"])
    only_old = ArticleFactory(tags=["пожары"])
    keep = Tag.objects.get(name="пожар")
    old = Tag.objects.get(name="пожары")
    url = reverse("admin:articles_tag_changelist")
    form = admin_client.post(
        url, {"action": "merge_selected", "_selected_action": [keep.pk, old.pk]}
    )
    assert form.status_code == 200 and "Объединение тегов" in form.content.decode()
    done = admin_client.post(
        url,
        {
            "action": "merge_selected",
            "_selected_action": [keep.pk, old.pk],
            "apply": "1",
            "target": keep.pk,
        },
    )
    assert done.status_code == 302
    assert list(Tag.objects.values_list("name", flat=True)) == ["пожар"]
    assert list(both.tags.names()) == ["пожар"] and list(only_old.tags.names()) == ["пожар"]


def test_photo_upload_through_the_desk_stores_a_generated_name(admin_client):
    upload = SimpleUploadedFile("Иванов_паспорт.jpg", make_image_bytes(800, 600), "image/jpeg")
    response = admin_client.post(
        reverse("admin:articles_photo_add"),
        {"image": upload, "alt_text": "Мост", "credit": "Пресс-служба", "caption": ""},
    )
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert (photo.width, photo.height) == (800, 600)
    assert "Иванов" not in photo.image.name and photo.image.name.startswith("photos/")
    assert photo.uploaded_by.username == "admin"


def test_svg_upload_through_the_desk_is_a_form_error(admin_client):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = admin_client.post(
        reverse("admin:articles_photo_add"),
        {
            "image": SimpleUploadedFile("x.svg", svg, "image/svg+xml"),
            "alt_text": "x",
            "credit": "y",
        },
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Photo.objects.exists()


def test_photo_without_alt_text_or_credit_is_refused(admin_client):
    response = admin_client.post(
        reverse("admin:articles_photo_add"),
        {"image": SimpleUploadedFile("a.jpg", make_image_bytes(), "image/jpeg")},
    )
    assert response.status_code == 200
    assert response.content.decode().count("Обязательное поле") >= 2


def test_teaser_target_autocomplete_finds_stories(admin_client):
    ArticleFactory(headline="Мост через Преголю открыт")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Преголю",
            "app_label": "articles",
            "model_name": "relatedlink",
            "field_name": "target_article",
        },
    )
    assert [r["text"] for r in response.json()["results"]] == ["Мост через Преголю открыт"]


def test_tag_autocomplete_finds_tags(admin_client):
    ArticleFactory(tags=["Балтийский флот", "выборы"])
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "Балт", "app_label": "articles", "model_name": "article", "field_name": "tags"},
    )
    assert [r["text"] for r in response.json()["results"]] == ["Балтийский флот"]


def test_existing_tags_render_selected_in_the_story_form(admin_client):
    article = ArticleFactory(tags=["выборы"])
    page = admin_client.get(
        reverse("admin:articles_article_change", args=[article.pk])
    ).content.decode()
    tag = Tag.objects.get()
    assert f'<option value="{tag.pk}" selected>выборы</option>' in page
