"""factory_boy factories for the newsroom, with traits for each editorial state."""

import datetime
import io

import factory
from django.core.files.base import ContentFile
from django.db.models import Max
from django.utils import timezone
from PIL import Image

from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    Correction,
    Photo,
    Region,
    RelatedLink,
)


def make_image_bytes(
    width: int = 640, height: int = 480, fmt: str = "JPEG", color=(40, 90, 160), **save_kwargs
) -> bytes:
    """A real image encoded by Pillow, for uploads and photo rows."""
    buffer = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" else "RGB"
    Image.new(mode, (width, height), color).save(buffer, format=fmt, **save_kwargs)
    return buffer.getvalue()


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Регион {n}")
    slug = factory.Sequence(lambda n: f"region-{n}")
    time_zone = "Europe/Kaliningrad"


class PhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Photo

    image = factory.LazyFunction(lambda: ContentFile(make_image_bytes(), name="photo.jpg"))
    alt_text = factory.Sequence(lambda n: f"Набережная в тумане, кадр {n}")
    caption = "Утро на набережной"
    credit = "Анна Смирнова"


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Автор Номер {n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    job_title = "корреспондент"


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published story by default; traits give the other editorial states."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    headline = factory.Sequence(lambda n: f"Новость номер {n}")
    lead = "Короткая подводка к новости."
    body = "<p>Первый абзац.</p><p>Второй абзац.</p>"
    region = factory.SubFactory(RegionFactory)
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))

    class Params:
        draft = factory.Trait(status=Article.Status.DRAFT, published_at=None)
        in_review = factory.Trait(status=Article.Status.REVIEW, published_at=None)
        scheduled = factory.Trait(
            published_at=factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))
        )
        unpublished = factory.Trait(status=Article.Status.UNPUBLISHED)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create and extracted:
            ArticleAuthor.objects.bulk_create(
                ArticleAuthor(article=self, author=author, position=index)
                for index, author in enumerate(extracted)
            )


class RelatedLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RelatedLink

    article = factory.SubFactory(ArticleFactory)
    kicker = "Pro"
    title = factory.Sequence(lambda n: f"Ссылка по теме {n}")
    external_url = "https://example.org/story"


def bulk_published_stories(
    region, count: int, *, headline: str = "Новость {n:02d}", step=datetime.timedelta(minutes=1)
) -> None:
    """`count` published stories in one insert, newest first by `n`: story n went out (n+1) steps
    ago. For listings, feeds and pagination that need many rows fast."""
    now = timezone.now()
    Article.objects.bulk_create(
        Article(
            region=region,
            headline=headline.format(n=n),
            slug=f"story-{n}",
            lead="Короткая подводка.",
            status=Article.Status.PUBLISHED,
            published_at=now - step * (n + 1),
        )
        for n in range(count)
    )


class CorrectionFactory(factory.django.DjangoModelFactory):
    """A correction note under a published story, dated now unless told.

    As the correction service does, it moves the story's `corrected_at` to its newest correction's
    time (in the database and on the `article` object the test holds)."""

    class Meta:
        model = Correction
        skip_postgeneration_save = True

    article = factory.SubFactory(ArticleFactory)
    text = factory.Sequence(lambda n: f"В первой версии текста была неточность номер {n}.")
    created_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def mark_story_corrected(self, create, extracted, **kwargs):
        if not create:
            return
        article = self.article
        article.corrected_at = article.corrections.aggregate(newest=Max("created_at"))["newest"]
        article.save(update_fields=["corrected_at", "updated_at"])
