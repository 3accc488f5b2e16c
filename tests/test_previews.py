"""Signed, expiring preview links to unpublished stories (articles/publishing/previews.py)."""

import datetime
import runpy
import time

import pytest
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.urls import resolve
from django.utils import timezone

import newsroom.settings as base_settings
from articles.dates import format_dateline
from articles.models import Article
from articles.publishing.previews import (
    SALT,
    article_for_preview,
    preview_path,
    preview_token,
)
from articles.renditions import build_renditions
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    PhotoFactory,
    RegionFactory,
    RelatedLinkFactory,
)

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
NOINDEX_META = '<meta name="robots" content="noindex, nofollow">'


def html(response) -> str:
    return response.content.decode()


def head(response) -> str:
    page = html(response)
    return page[: page.index("</head>")]


def assert_private(response):
    """Kept by nobody but the holder's browser for the moment, and indexed by no one."""
    assert response["Cache-Control"] == "private, no-store"
    assert "noindex" in response["X-Robots-Tag"]
    # The token in the address never reaches the sites the story links to.
    assert response["Referrer-Policy"] == "same-origin"


def assert_not_found(response):
    assert response.status_code == 404
    assert "Страница не найдена" in html(response)  # the site's own page, not a bare 404
    assert_private(response)


def draft(**kwargs) -> Article:
    kwargs.setdefault("draft", True)
    return ArticleFactory(**kwargs)


def mint_at(article: Article, moment: float) -> str:
    """A token made at `moment` on the signing clock: the link as it was handed out then."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "time", lambda: moment)
        return preview_token(article)


def swap(token: str, part: int, value: str) -> str:
    parts = token.split(":")
    parts[part] = value
    return ":".join(parts)


def change_one_character(text: str, index: int) -> str:
    replacement = "A" if text[index] != "A" else "B"
    return text[:index] + replacement + text[index + 1 :]


class TestPreviewPage:
    @pytest.mark.parametrize(
        ("traits", "status"),
        [
            ({"draft": True}, "черновик"),
            ({"in_review": True}, "на проверке"),
            ({"unpublished": True}, "снят с публикации"),
        ],
    )
    def test_unpublished_story_is_shown_with_a_banner_and_its_status(self, client, traits, status):
        article = ArticleFactory(
            headline="Мост закроют на ремонт",
            lead="Движение пустят в объезд.",
            body="<p>Ремонт продлится месяц.</p>",
            **traits,
        )
        response = client.get(preview_path(article))
        page = html(response)
        assert response.status_code == 200
        assert "Предпросмотр</strong> неопубликованного материала" in page
        assert f"Статус: {status}." in page
        assert "<h1>Мост закроют на ремонт</h1>" in page
        assert '<p class="lead">Движение пустят в объезд.</p>' in page
        assert "<p>Ремонт продлится месяц.</p>" in page
        assert NOINDEX_META in head(response)
        assert_private(response)

    def test_scheduled_story_says_when_it_goes_out(self, client):
        region = RegionFactory(time_zone="Asia/Vladivostok")
        article = ArticleFactory(region=region, scheduled=True, headline="Завтрашняя новость")
        response = client.get(preview_path(article))
        when = format_dateline(article.published_at, "Asia/Vladivostok")
        assert response.status_code == 200
        assert f"Статус: запланирован на {when}." in html(response)
        # The dateline readers will see, on the region's clock.
        assert f">{when}</time>" in html(response)
        assert "<h1>Завтрашняя новость</h1>" in html(response)
        assert_private(response)

    def test_story_past_its_unpublish_time_is_previewable_again(self, client):
        now = timezone.now()
        article = ArticleFactory(published_at=now - 3 * HOUR, unpublish_at=now - HOUR)
        assert not Article.objects.published().filter(pk=article.pk).exists()
        response = client.get(preview_path(article))
        assert response.status_code == 200
        assert "Статус: снят по расписанию" in html(response)

    def test_published_story_of_a_hidden_region_is_previewable(self, client):
        region = RegionFactory(name="Мурманск", is_active=False)
        article = ArticleFactory(region=region)
        response = client.get(preview_path(article))
        assert response.status_code == 200
        assert "Статус: опубликован; регион «Мурманск» скрыт от читателей." in html(response)

    def test_draft_without_a_publication_time_shows_no_invented_date(self, client):
        article = draft(region=RegionFactory(name="Самара"))
        page = html(client.get(preview_path(article)))
        dateline = page[page.index('<p class="dateline">') :]
        dateline = dateline[: dateline.index("</p>")]
        assert "Самара</a>" in dateline and "<time" not in dateline

    def test_preview_claims_no_address_and_gives_machines_nothing(self, client, settings):
        settings.SITE_URL = "https://news.example.ru"
        photo = PhotoFactory()
        build_renditions(photo)
        article = draft(main_photo=photo, tags=["город"])
        page_head = head(client.get(preview_path(article)))
        # The public address answers 404 until publication and may change before it.
        assert 'rel="canonical"' not in page_head
        assert article.get_absolute_url() not in page_head
        # A messenger's link preview would keep the unreleased headline and photo.
        assert "og:" not in page_head and "twitter:" not in page_head
        # Its datePublished and dateModified would be invented.
        assert "application/ld+json" not in page_head
        assert "<title>Предпросмотр — " in page_head

    def test_the_public_page_keeps_its_canonical_address_and_no_banner(self, client):
        article = ArticleFactory()
        page = html(client.get(article.get_absolute_url()))
        assert 'rel="canonical"' in page and "application/ld+json" in page
        assert "preview-banner" not in page and "noindex" not in page

    def test_preview_links_to_no_other_unpublished_story(self, client):
        region = RegionFactory()
        article = draft(region=region, tags=["город"])
        hidden = draft(region=region, tags=["город"], headline="Другой черновик")
        scheduled = ArticleFactory(
            region=region, scheduled=True, tags=["город"], headline="Завтрашний материал"
        )
        shown = ArticleFactory(region=region, tags=["город"], headline="Вышедший материал")
        RelatedLinkFactory(
            article=article, title="Ссылка на черновик", target_article=hidden, external_url=""
        )
        page = html(client.get(preview_path(article)))
        assert "Вышедший материал" in page and shown.get_absolute_url() in page
        for other in (hidden, scheduled):
            assert other.headline not in page and f"/{other.pk}-" not in page
        assert "Ссылка на черновик" not in page

    def test_preview_address_is_the_preview_view_whatever_the_regions(self):
        RegionFactory(slug="kaliningrad")
        path = preview_path(draft())
        assert path.startswith("/preview/") and path.endswith("/")
        assert resolve(path).view_name == "articles:article_preview"


class TestTokensThatAreRefused:
    @pytest.mark.parametrize(
        "damage",
        [
            pytest.param(lambda t: change_one_character(t, 0), id="payload-character-changed"),
            pytest.param(lambda t: change_one_character(t, t.index(":") + 1), id="time-changed"),
            pytest.param(lambda t: change_one_character(t, len(t) - 1), id="last-character"),
            pytest.param(lambda t: change_one_character(t, len(t) // 2), id="middle-character"),
            pytest.param(lambda t: t[:-1], id="truncated-by-one"),
            pytest.param(lambda t: t[: len(t) // 2], id="truncated-to-half"),
            pytest.param(lambda t: t.rsplit(":", 1)[0], id="signature-dropped"),
            pytest.param(lambda t: t + "A", id="extended"),
            pytest.param(lambda t: t.upper(), id="upper-cased"),
            pytest.param(lambda t: "garbage", id="garbage"),
            pytest.param(lambda t: "::", id="only-separators"),
            pytest.param(lambda t: "A" * 10_240, id="10-kb"),
            pytest.param(lambda t: t + "A" * 10_240, id="10-kb-after-a-good-token"),
            pytest.param(lambda t: "превью:токен:подпись", id="cyrillic"),
            pytest.param(lambda t: t + "й", id="non-ascii-suffix"),
            pytest.param(lambda t: "%00" + t, id="nul-byte"),
            pytest.param(lambda t: "..", id="dot-dot"),
        ],
    )
    def test_damaged_token_answers_the_sites_404(self, client, damage):
        article = draft(headline="Секретный черновик")
        token = damage(preview_token(article))
        assert token != preview_token(article)
        response = client.get(f"/preview/{token}/")
        assert_not_found(response)
        assert "Секретный черновик" not in html(response)

    @pytest.mark.parametrize(
        "token", ["", "garbage", "A" * 10_240, "превью", "a:b:c", "\x00", "WzEsMl0:1:x"]
    )
    def test_damaged_token_names_no_story(self, token):
        draft()
        assert article_for_preview(token) is None

    def test_empty_token_is_not_found(self, client):
        assert client.get("/preview//").status_code == 404
        assert client.get("/preview/").status_code == 404

    def test_token_of_one_story_edited_to_name_another_is_refused(self, client):
        mine = draft(headline="Мой черновик")
        other = draft(headline="Чужой черновик")
        token = preview_token(mine)
        pk, version = signing.loads(token, salt=SALT)
        forged = swap(token, 0, signing.b64_encode(f"[{other.pk},{version}]".encode()).decode())
        assert forged != token
        response = client.get(f"/preview/{forged}/")
        assert_not_found(response)
        assert "Чужой черновик" not in html(response)
        # The genuine token still shows its own story, and only it.
        page = html(client.get(f"/preview/{token}/"))
        assert "Мой черновик" in page and "Чужой черновик" not in page

    def test_value_signed_for_another_purpose_is_no_preview_token(self, client, settings):
        article = draft()
        version = signing.loads(preview_token(article), salt=SALT)[1]
        for token in (
            signing.dumps([article.pk, version]),  # no salt
            signing.dumps([article.pk, version], salt="django.contrib.sessions"),
            signing.dumps([article.pk, version], salt=SALT, key="another-site's-key"),
        ):
            assert_not_found(client.get(f"/preview/{token}/"))

    def test_token_of_an_unexpected_shape_is_refused(self):
        article = draft()
        version = signing.loads(preview_token(article), salt=SALT)[1]
        for claim in ([article.pk], [str(article.pk), version], {"pk": article.pk}, True):
            assert article_for_preview(signing.dumps(claim, salt=SALT)) is None
        assert article_for_preview(signing.dumps([article.pk, version], salt=SALT)) == article

    def test_token_expires_after_48_hours(self, client):
        article = draft(headline="Старый черновик")
        now = time.time()
        fresh = mint_at(article, now - 47 * 3600)
        stale = mint_at(article, now - 49 * 3600)
        assert client.get(f"/preview/{fresh}/").status_code == 200
        response = client.get(f"/preview/{stale}/")
        assert_not_found(response)
        assert "Старый черновик" not in html(response)

    def test_lifetime_follows_the_setting(self, client, settings):
        settings.PREVIEW_MAX_AGE = HOUR
        article = draft()
        two_hours_old = mint_at(article, time.time() - 2 * 3600)
        assert_not_found(client.get(f"/preview/{two_hours_old}/"))
        assert client.get(preview_path(article)).status_code == 200

    def test_token_made_before_a_later_save_stops_working(self, client):
        article = draft(headline="Первая версия")
        old = preview_path(article)
        article.headline = "Вторая версия"
        article.save()
        response = client.get(old)
        assert_not_found(response)
        assert "Первая версия" not in html(response) and "Вторая версия" not in html(response)
        assert "Вторая версия" in html(client.get(preview_path(article)))

    def test_token_of_a_deleted_story_is_not_found(self, client):
        article = draft(headline="Удалённый черновик")
        path = preview_path(article)
        article.delete()
        assert_not_found(client.get(path))


class TestOncePublished:
    def test_link_sends_the_holder_to_the_public_page(self, client):
        article = draft()
        path = preview_path(article)
        # What the publishing service does: the status, the time, and a save.
        article.status = Article.Status.PUBLISHED
        article.published_at = timezone.now() - datetime.timedelta(minutes=1)
        article.save()
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == article.get_absolute_url()
        assert_private(response)
        assert client.get(response["Location"]).status_code == 200

    def test_scheduled_story_link_redirects_once_its_time_has_come(self, client):
        article = ArticleFactory(scheduled=True)
        path = preview_path(article)
        assert client.get(path).status_code == 200
        # Its time comes with no save at all.
        Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - HOUR)
        article.refresh_from_db()
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == article.get_absolute_url()

    def test_expired_link_of_a_published_story_is_not_found(self, client):
        article = ArticleFactory()
        assert_not_found(client.get(f"/preview/{mint_at(article, time.time() - 49 * 3600)}/"))

    def test_story_taken_down_again_is_previewable_with_a_new_link(self, client):
        article = ArticleFactory()
        published_link = preview_path(article)
        assert client.get(published_link).status_code == 302
        article.status = Article.Status.UNPUBLISHED
        article.save()
        # The old link named the published version; the story was saved since.
        assert_not_found(client.get(published_link))
        response = client.get(preview_path(article))
        assert response.status_code == 200
        assert "Статус: снят с публикации." in html(response)


class TestCaching:
    def test_no_preview_answer_is_ever_cached_publicly(self, client, settings):
        settings.PUBLIC_CACHE_SECONDS = 60
        unpublished = draft()
        published = ArticleFactory()
        for path in (
            preview_path(unpublished),  # the page
            preview_path(published),  # the redirect
            preview_path(unpublished)[:-2] + "/",  # the not-found page
        ):
            response = client.get(path)
            assert "public" not in response["Cache-Control"], path
            assert "max-age" not in response["Cache-Control"], path
            assert_private(response)
        assert client.head(preview_path(unpublished))["Cache-Control"] == "private, no-store"


def test_preview_page_makes_the_same_queries_with_one_or_twenty_of_everything(
    client, django_assert_num_queries
):
    def make(n):
        region = RegionFactory()
        photo = PhotoFactory()
        build_renditions(photo)
        article = draft(
            region=region,
            main_photo=photo,
            authors=[AuthorFactory() for _ in range(n)],
            tags=[f"тег-{n}-{i}" for i in range(n)],
        )
        for i in range(n):
            RelatedLinkFactory(
                article=article, position=i, target_article=ArticleFactory(), external_url=""
            )
            ArticleFactory(region=region, tags=[f"тег-{n}-{i}"])  # a "read also" candidate
        return preview_path(article)

    for path in (make(1), make(20)):
        assert client.get(path).status_code == 200  # warm the region navigation's cache
        # The story with region, photo and whether readers see it; renditions; bylines with
        # authors; tags; teasers with their targets and regions; corrections; "read also".
        with django_assert_num_queries(7):
            assert client.get(path).status_code == 200


def test_preview_page_is_valid_html(client, html_checker):
    region = RegionFactory(name="Калининград")
    photo = PhotoFactory(caption="Набережная утром", credit="Анна Смирнова")
    build_renditions(photo)
    earlier = ArticleFactory(region=region, tags=["город"])
    full = draft(
        region=region,
        main_photo=photo,
        authors=[AuthorFactory(name="Ирина Волкова")],
        tags=["город", "транспорт"],
        body='<h2>Подробности</h2><p>Мост <a href="https://example.org/">закрыт</a>.</p>',
    )
    RelatedLinkFactory(article=full, kicker="Pro", target_article=earlier, external_url="")
    RelatedLinkFactory(article=full, kicker="", title="Карта перекрытий")
    pages = {
        "draft with photo and teasers": full,
        "bare story in review": ArticleFactory(region=region, in_review=True),
        "scheduled story": ArticleFactory(region=region, scheduled=True, main_photo=photo),
    }
    for name, article in pages.items():
        response = client.get(preview_path(article))
        assert response.status_code == 200, name
        html_checker.assert_valid(response.content, page_name=f"preview: {name}")
    not_found = client.get("/preview/garbage/")
    html_checker.assert_valid(not_found.content, page_name="preview: not found")


class TestSetting:
    def test_lifetime_defaults_to_48_hours(self, monkeypatch):
        monkeypatch.delenv("PREVIEW_MAX_AGE_HOURS", raising=False)
        assert runpy.run_path(base_settings.__file__)["PREVIEW_MAX_AGE"] == 48 * HOUR

    def test_lifetime_is_read_from_the_environment(self, monkeypatch):
        monkeypatch.setenv("PREVIEW_MAX_AGE_HOURS", " 72 ")
        assert runpy.run_path(base_settings.__file__)["PREVIEW_MAX_AGE"] == 72 * HOUR

    @pytest.mark.parametrize(
        "value", ["0", "-1", "+48", "4_8", "48.5", "48h", "двое суток", "721", "9" * 40]
    )
    def test_a_bad_lifetime_stops_start_up(self, monkeypatch, value):
        monkeypatch.setenv("PREVIEW_MAX_AGE_HOURS", value)
        with pytest.raises(ImproperlyConfigured, match="PREVIEW_MAX_AGE_HOURS"):
            runpy.run_path(base_settings.__file__)
