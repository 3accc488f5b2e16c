import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from articles.models import Article, Region, RelatedLink, Tag, TaggedArticle
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    PhotoFactory,
    RegionFactory,
    RelatedLinkFactory,
)

pytestmark = pytest.mark.django_db


class TestPublishedIsTheOnlyVisibilityRule:
    def test_published_story_in_active_region_is_visible(self):
        article = ArticleFactory()
        assert list(Article.objects.published()) == [article]

    @pytest.mark.parametrize("trait", ["draft", "in_review", "scheduled", "unpublished"])
    def test_story_in_any_other_state_is_invisible(self, trait):
        ArticleFactory(**{trait: True})
        assert not Article.objects.published().exists()

    def test_story_of_inactive_region_is_invisible(self):
        ArticleFactory(region=RegionFactory(is_active=False))
        assert not Article.objects.published().exists()

    def test_scheduled_story_appears_when_its_time_comes_without_any_job(self):
        article = ArticleFactory(published_at=timezone.now() + datetime.timedelta(seconds=2))
        assert not Article.objects.published().exists()
        Article.objects.filter(pk=article.pk).update(
            published_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        assert Article.objects.published().get() == article


class TestDatabaseInvariants:
    def test_unknown_status_is_refused_by_the_database(self):
        article = ArticleFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Article.objects.filter(pk=article.pk).update(status="deleted")

    def test_published_story_without_time_is_refused_by_the_database(self):
        article = ArticleFactory(draft=True)
        with pytest.raises(IntegrityError), transaction.atomic():
            Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED)

    def test_publication_before_the_embargo_is_refused_by_the_database(self):
        embargo = timezone.now() + datetime.timedelta(hours=2)
        article = ArticleFactory(draft=True, embargo_until=embargo)
        with pytest.raises(IntegrityError), transaction.atomic():
            Article.objects.filter(pk=article.pk).update(
                status=Article.Status.PUBLISHED,
                published_at=embargo - datetime.timedelta(minutes=1),
            )

    def test_unpublish_time_before_the_publication_is_refused_by_the_database(self):
        article = ArticleFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Article.objects.filter(pk=article.pk).update(unpublish_at=article.published_at)

    def test_teaser_with_both_targets_is_refused(self):
        target = ArticleFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            RelatedLinkFactory(target_article=target, external_url="https://example.org/")

    def test_teaser_with_no_target_is_refused(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            RelatedLinkFactory(external_url="")

    def test_teaser_target_rule_is_a_readable_validation_error(self):
        link = RelatedLink(article=ArticleFactory(), title="Читайте также", external_url="")
        with pytest.raises(ValidationError, match="ровно одно из двух"):
            link.full_clean()

    def test_empty_slug_is_refused_by_the_database(self):
        region = RegionFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Region.objects.filter(pk=region.pk).update(slug="")

    def test_same_author_twice_on_a_byline_is_refused(self):
        author = AuthorFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            ArticleFactory(authors=[author, author])

    def test_photo_focal_point_outside_the_picture_is_refused(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            PhotoFactory(focal_x=150)


class TestDeletingNeverCascadesIntoJournalism:
    def test_region_with_stories_cannot_be_deleted(self):
        article = ArticleFactory()
        with pytest.raises(ProtectedError):
            article.region.delete()

    def test_author_on_a_byline_cannot_be_deleted(self):
        author = AuthorFactory()
        ArticleFactory(authors=[author])
        with pytest.raises(ProtectedError):
            author.delete()

    def test_photo_of_a_story_cannot_be_deleted(self):
        photo = PhotoFactory()
        ArticleFactory(main_photo=photo)
        with pytest.raises(ProtectedError):
            photo.delete()

    def test_photo_of_an_author_cannot_be_deleted(self):
        photo = PhotoFactory()
        AuthorFactory(photo=photo)
        with pytest.raises(ProtectedError):
            photo.delete()

    def test_story_that_another_story_teases_cannot_be_deleted(self):
        target = ArticleFactory()
        RelatedLinkFactory(target_article=target, external_url="")
        with pytest.raises(ProtectedError):
            target.delete()

    def test_deleting_a_story_takes_its_own_teasers_and_tag_links(self):
        article = ArticleFactory(tags=["пожар"])
        RelatedLinkFactory(article=article)
        article.delete()
        assert not RelatedLink.objects.exists()
        assert not TaggedArticle.objects.exists()
        assert Tag.objects.filter(name="пожар").exists()


class TestTextHygieneOnEverySavePath:
    HOSTILE = "Заго\x00ло\x08вок\x0b с\x1fимволами\tи\nпереносом"
    CLEAN = "Заголовок символами\tи\nпереносом"

    def test_save_strips_xml_breaking_control_characters(self):
        article = ArticleFactory(headline=self.HOSTILE, lead=self.HOSTILE)
        article.refresh_from_db()
        assert article.headline == self.CLEAN
        assert "\x00" not in article.lead and "\x0b" not in article.lead

    def test_bulk_create_strips_control_characters_and_sanitizes_body(self):
        region = RegionFactory()
        Article.objects.bulk_create(
            [
                Article(
                    headline=self.HOSTILE,
                    slug="x",
                    lead="лид",
                    body='<p onclick="steal()">текст<script>alert(1)</script></p>',
                    region=region,
                )
            ]
        )
        article = Article.objects.get()
        assert article.headline == self.CLEAN
        assert article.body == "<p>текст</p>"

    def test_queryset_update_cannot_store_control_characters(self):
        article = ArticleFactory()
        Article.objects.filter(pk=article.pk).update(headline="Новость\x07 дня")
        article.refresh_from_db()
        assert article.headline == "Новость дня"

    def test_body_is_sanitized_on_plain_save(self):
        article = ArticleFactory(body='<p>Текст <a href="javascript:alert(1)">ссылка</a></p>')
        article.refresh_from_db()
        assert article.body == "<p>Текст <a>ссылка</a></p>"

    def test_xml_non_characters_are_removed_too(self):
        article = ArticleFactory(headline="Новость\ufffe дня\uffff")
        article.refresh_from_db()
        assert article.headline == "Новость дня"

    def test_tag_names_lose_control_characters(self):
        article = ArticleFactory(tags=["выбо\x01ры"])
        assert list(article.tags.names()) == ["выборы"]


class TestSlugs:
    def test_story_slug_is_transliterated_from_the_russian_headline(self):
        article = ArticleFactory(headline="Калининград встретил Щукина в Йошкар-Оле", slug="")
        assert article.slug == "kaliningrad-vstretil-shchukina-v-yoshkar-ole"

    def test_editor_written_slug_is_kept(self):
        article = ArticleFactory(headline="Новость", slug="svoy-adres")
        assert article.slug == "svoy-adres"

    def test_emoji_only_headline_gives_a_form_error_not_an_integrity_error(self):
        article = ArticleFactory.build(headline="🔥🔥🔥", slug="", region=RegionFactory())
        with pytest.raises(ValidationError) as error:
            article.full_clean()
        assert "slug" in error.value.message_dict

    @pytest.mark.parametrize("name", ["Admin", "Tags", "Search", "Feeds", "Static"])
    def test_region_named_like_a_site_section_gets_a_form_error(self, name):
        region = Region(name=name, time_zone="Europe/Moscow")
        with pytest.raises(ValidationError) as error:
            region.full_clean()
        assert "занят служебной страницей" in str(error.value.message_dict["slug"])

    def test_reserved_region_slug_typed_by_hand_gets_a_form_error(self):
        region = Region(name="Новый", slug="authors", time_zone="Europe/Moscow")
        with pytest.raises(ValidationError) as error:
            region.full_clean()
        assert "slug" in error.value.message_dict

    def test_colliding_region_slug_gets_a_form_error(self):
        RegionFactory(name="Калининград", slug="kaliningrad")
        region = Region(name="Калининград-2", slug="kaliningrad", time_zone="Europe/Moscow")
        with pytest.raises(ValidationError) as error:
            region.full_clean()
        assert "slug" in error.value.message_dict

    def test_unknown_time_zone_gets_a_form_error(self):
        region = Region(name="Марс", slug="mars", time_zone="Mars/Olympus")
        with pytest.raises(ValidationError) as error:
            region.full_clean()
        assert "time_zone" in error.value.message_dict

    def test_tag_slug_is_latin(self):
        article = ArticleFactory(tags=["Чемпионат мира"])
        assert article.tags.get().slug == "chempionat-mira"

    def test_emoji_tag_still_gets_a_usable_unique_slug(self):
        article = ArticleFactory(tags=["🔥", "🎉"])
        slugs = sorted(article.tags.values_list("slug", flat=True))
        assert slugs[0].startswith("tag") and slugs[1].startswith("tag") and slugs[0] != slugs[1]


def test_canonical_url_carries_region_id_and_slug(db):
    article = ArticleFactory(region=RegionFactory(slug="kaliningrad"), slug="novost")
    assert article.get_absolute_url() == f"/kaliningrad/{article.pk}-novost/"


class TestTeaserRulesInTheDatabase:
    def test_a_story_cannot_tease_itself(self):
        article = ArticleFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            RelatedLinkFactory(article=article, target_article=article, external_url="")

    @pytest.mark.parametrize("url", ["javascript:alert(1)", "//evil.example/", "ftp://x.example/"])
    def test_non_http_link_written_around_validation_is_refused(self, url):
        with pytest.raises(IntegrityError), transaction.atomic():
            RelatedLink.objects.bulk_create(
                [RelatedLink(article=ArticleFactory(), title="x", external_url=url)]
            )
