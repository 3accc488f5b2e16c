"""Slugs have one form: a typed slug is brought to it, so two spellings of one address collide as
a form error, and a slug made from a long headline ends on a whole word."""

import iuliia
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.text import slugify

from articles.models import Article, Author, Region, Tag
from articles.slugs import SLUG_MAX_LENGTH, canonical_slug, slugify_ru
from tests.factories import ArticleFactory, AuthorFactory, RegionFactory

pytestmark = pytest.mark.django_db

SPELLINGS_OF_ONE_SLUG = ["storm-update-x", "storm--update-x", "Storm-Update-x", "-STORM_update-x-"]

# Real headlines of a regional desk whose transliteration runs past the 100-character limit.
# The first fills it exactly: its last whole word ends on the 100th character.
FILLS_THE_LIMIT = (
    "В Калининграде из-за аварии на теплотрассе без горячей воды и отопления остались жители "
    "тридцати домов"
)
# The second would be cut in the middle of "moskovskom" by a plain [:100].
RUNS_PAST_THE_LIMIT = (
    "Власти Калининградской области объявили о начале масштабной реконструкции теплотрассы "
    "на Московском проспекте до конца года"
)


def full_transliteration(text: str) -> str:
    """The slug a headline would have without any length limit."""
    return slugify(iuliia.WIKIPEDIA.translate(text))


def author_form_data(**fields) -> dict:
    data = {"name": "Ольга Штормова", "slug": "", "job_title": "", "bio": "", "is_active": "on"}
    data.update(photo="", user="", **fields)
    return data


class TestCanonicalForm:
    @pytest.mark.parametrize(
        ("typed", "stored"),
        [
            ("Storm-Update", "storm-update"),
            ("storm--update", "storm-update"),
            ("-storm-update-", "storm-update"),
            ("STORM___UPDATE", "storm-update"),
            ("storm-update", "storm-update"),
            ("2024-vybory", "2024-vybory"),
        ],
    )
    def test_a_typed_slug_is_brought_to_the_one_form(self, typed, stored):
        assert canonical_slug(typed) == stored

    @pytest.mark.parametrize("typed", ["---", "___", "-_-"])
    def test_a_typed_slug_of_dashes_alone_is_empty(self, typed):
        assert canonical_slug(typed) == ""

    def test_a_single_word_longer_than_the_limit_is_cut_to_the_limit(self):
        assert canonical_slug("a" * 300) == "a" * SLUG_MAX_LENGTH

    def test_a_typed_slug_is_stored_in_the_one_form_by_save(self):
        author = AuthorFactory(slug="Storm-Update")
        author.refresh_from_db()
        assert author.slug == "storm-update"

    def test_a_typed_slug_is_stored_in_the_one_form_after_full_clean(self):
        author = Author(name="Ольга Штормова", slug="Storm--Update")
        author.full_clean()
        assert author.slug == "storm-update"
        author.save()
        assert Author.objects.get(pk=author.pk).slug == "storm-update"

    def test_a_typed_story_slug_is_stored_in_the_one_form(self):
        article = ArticleFactory(slug="Storm--Update-")
        assert Article.objects.get(pk=article.pk).slug == "storm-update"
        assert article.get_absolute_url().endswith(f"/{article.pk}-storm-update/")

    @pytest.mark.parametrize("typed", ["-Admin-", "TAGS", "search--", "_feeds_"])
    def test_a_reserved_word_in_another_spelling_is_still_reserved(self, typed):
        region = Region(name="Новый регион", slug=typed, time_zone="Europe/Moscow")
        with pytest.raises(ValidationError) as error:
            region.full_clean()
        assert "занят служебной страницей" in str(error.value.message_dict["slug"])

    def test_a_typed_slug_of_dashes_alone_is_a_form_error(self):
        author = Author(name="Ольга Штормова", slug="---")
        with pytest.raises(ValidationError) as error:
            author.full_clean()
        assert "латинские буквы или цифры" in str(error.value.message_dict["slug"])


class TestOneAddressOneAuthor:
    @pytest.mark.parametrize("second", SPELLINGS_OF_ONE_SLUG)
    @pytest.mark.parametrize("first", SPELLINGS_OF_ONE_SLUG)
    def test_a_second_spelling_of_a_taken_slug_is_a_form_error(self, first, second):
        AuthorFactory(slug=first)
        author = Author(name="Второй Автор", slug=second)
        with pytest.raises(ValidationError) as error:
            author.full_clean()
        assert list(error.value.message_dict) == ["slug"]
        assert Author.objects.count() == 1

    @pytest.mark.parametrize("second", SPELLINGS_OF_ONE_SLUG)
    def test_the_admin_add_form_refuses_a_second_spelling_and_keeps_the_text(
        self, admin_client, second
    ):
        AuthorFactory(name="Первый Автор", slug="storm-update-x")
        response = admin_client.post(
            reverse("admin:articles_author_add"),
            author_form_data(slug=second, bio="Пишет о погоде."),
        )
        assert response.status_code == 200
        form = response.context["adminform"].form
        assert list(form.errors) == ["slug"]
        assert "уже существует" in str(form.errors["slug"])
        assert form.data["bio"] == "Пишет о погоде."
        assert list(Author.objects.values_list("slug", flat=True)) == ["storm-update-x"]

    def test_the_admin_add_form_stores_a_typed_slug_in_the_one_form(self, admin_client):
        response = admin_client.post(
            reverse("admin:articles_author_add"), author_form_data(slug="Storm--Update")
        )
        assert response.status_code == 302
        assert Author.objects.get().slug == "storm-update"

    def test_the_admin_add_form_makes_the_slug_from_the_name(self, admin_client):
        response = admin_client.post(reverse("admin:articles_author_add"), author_form_data())
        assert response.status_code == 302
        assert Author.objects.get().slug == "olga-shtormova"

    @pytest.mark.parametrize("typed", ["шторм", "storm update", "x" * 5000, "storm/../x"])
    def test_the_admin_add_form_refuses_a_slug_it_cannot_use_without_a_500(
        self, admin_client, typed
    ):
        response = admin_client.post(
            reverse("admin:articles_author_add"), author_form_data(slug=typed)
        )
        assert response.status_code == 200
        assert "slug" in response.context["adminform"].form.errors
        assert not Author.objects.exists()


class TestSlugsOfLongHeadlines:
    def test_a_slug_whose_last_word_ends_on_the_limit_keeps_it(self):
        article = ArticleFactory(headline=FILLS_THE_LIMIT, slug="")
        assert len(article.slug) == SLUG_MAX_LENGTH == 100
        assert article.slug.endswith("-ostalis-zhiteli-tridtsati")
        assert full_transliteration(FILLS_THE_LIMIT) == article.slug + "-domov"

    def test_a_slug_past_the_limit_is_cut_between_words(self):
        full = full_transliteration(RUNS_PAST_THE_LIMIT)
        assert full[:SLUG_MAX_LENGTH].endswith("-moskovsk")  # where a plain cut would fall
        article = ArticleFactory(headline=RUNS_PAST_THE_LIMIT, slug="")
        assert article.slug == (
            "vlasti-kaliningradskoy-oblasti-obyavili-o-nachale-masshtabnoy-rekonstruktsii-"
            "teplotrassy-na"
        )
        assert full.startswith(article.slug + "-")

    @pytest.mark.parametrize("headline", [FILLS_THE_LIMIT, RUNS_PAST_THE_LIMIT])
    def test_full_clean_fills_the_same_whole_word_slug(self, headline):
        article = ArticleFactory.build(headline=headline, slug="", region=RegionFactory())
        article.full_clean()
        assert article.slug == slugify_ru(headline)
        assert len(article.slug) <= SLUG_MAX_LENGTH
        assert full_transliteration(headline).startswith(article.slug + "-")
        assert not article.slug.endswith("-")

    def test_a_region_slug_is_cut_between_words_at_its_own_limit(self):
        name = "Ханты-Мансийский автономный округ — Югра и Ямало-Ненецкий округ"
        region = Region(name=name, time_zone="Asia/Yekaterinburg")
        region.full_clean()
        limit = Region._meta.get_field("slug").max_length
        assert len(region.slug) <= limit == 50
        assert full_transliteration(name).startswith(region.slug + "-")


class TestTagSlugs:
    # Three tag names, short enough for the name column, whose transliterations part only after
    # the slug's 100th character.
    SHARED = "Жилищно-коммунальное хозяйство Щёлковского района: жители жалуются на счета за охрану"

    def test_long_tags_sharing_a_slug_prefix_each_get_a_slug_that_fits(self):
        names = [f"{self.SHARED} {side}" for side in ("юг", "север", "центр")]
        assert all(len(name) <= 100 for name in names)
        for name in names:
            ArticleFactory(tags=[name])
        tags = list(Tag.objects.order_by("pk"))
        bare = tags[0].slug
        assert [tag.slug for tag in tags] == [bare, f"{bare}-1", f"{bare}-2"]
        assert full_transliteration(names[0]).startswith(bare + "-")
        for tag in tags:
            tag.full_clean()  # each slug within the column's 100 characters

    def test_a_long_tag_slug_is_cut_between_words(self):
        tag = Tag.objects.create(name=f"{self.SHARED} север")
        assert len(tag.slug) <= 100
        assert full_transliteration(tag.name).startswith(tag.slug + "-")
