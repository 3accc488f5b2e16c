"""Loading the demo newsroom into an empty database; `load_demo` is the way in.

Stories go in with `bulk_create` in batches that double in size up to `batch_size`. A story links
(inline and in its teaser block) only to stories already in the database, whose ids and so
canonical URLs are known; doubling lets the second story link to the first while big runs still
insert thousands of rows per batch.
"""

import datetime
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import Article, ArticleAuthor, Author, Photo, Region, RelatedLink, Tag, TaggedArticle
from ..slugs import slugify_ru
from .pictures import draw_landscape, draw_portrait
from .regions import REGIONS, DemoRegion
from .text import StoryRef, write_story
from .topics import TOPICS, Topic
from .words import (
    EARLIER_JOBS,
    EXTERNAL_KICKERS,
    EXTERNAL_SITES,
    EXTERNAL_TITLES,
    FEMALE_NAMES,
    GENERAL_TAGS,
    INTERNAL_KICKERS,
    JOB_TITLES,
    MALE_NAMES,
    SURNAMES,
)

# The admin account of the demo. Demo-only: documented in the README, never for a real site.
DEMO_USERNAME = "editor"
DEMO_PASSWORD = "newsroom-demo"  # noqa: S105 - a published demo password, not a secret

DEFAULT_ARTICLES = 500
DEFAULT_PHOTOS = 40
DEFAULT_PHOTO_WIDTH = 1600  # 1600x1067, the 3:2 frame of a camera
DEFAULT_BATCH_SIZE = 2000
AUTHOR_COUNT = 24
PHOTOGRAPHER = "фотокорреспондент"

# The external titles' slugs, made once rather than for every link.
_EXTERNAL_SLUGS = {title: slugify_ru(title) for title in EXTERNAL_TITLES}


def database_has_content() -> bool:
    """The demo fills only an empty newsroom: any region, story, author, photo or tag stops it."""
    return any(model.objects.exists() for model in (Region, Article, Author, Photo, Tag))


@dataclass
class DemoSummary:
    regions: int = 0
    authors: int = 0
    photos: int = 0
    tags: int = 0
    articles: int = 0
    bylines: int = 0
    taggings: int = 0
    related_links: int = 0


@dataclass(slots=True)
class _Plan:
    """When and where a story appears, decided for all stories before any text is written."""

    moment: datetime.datetime  # its place in the newsroom's history, and so in id order
    status: str
    published_at: datetime.datetime | None
    region: Region
    topic: Topic
    is_breaking: bool = False


def _growing_batches(items: list, cap: int) -> Iterator[list]:
    """Batches of 1, 1, 2, 4, … up to cap: each is at most as long as everything before it."""
    start, size = 0, 1
    while start < len(items):
        yield items[start : start + size]
        start += size
        size = min(cap, start)


class DemoBuilder:
    """Builds the demo network into an empty database; `load_demo` is the way in."""

    def __init__(
        self,
        *,
        articles: int,
        photos: int,
        seed: int,
        photo_width: int,
        batch_size: int,
        log: Callable[[str], None],
        progress: Callable[[int], None],
    ):
        self.rng = random.Random(seed)
        self.article_count, self.photo_count = articles, photos
        self.photo_width, self.batch_size = photo_width, batch_size
        self.log, self.progress = log, progress
        self.now = timezone.now()
        self.summary = DemoSummary()
        self.saved_files: list[str] = []
        self.visible: list[StoryRef] = []
        self.visible_by_region: dict[str, list[StoryRef]] = {}

    def build(self) -> DemoSummary:
        self.editor = self.demo_editor()
        self.regions = self.create_regions()
        self.authors = self.create_authors()
        self.photographers = _photographers(self.authors)
        self.photos = self.draw_photo_library()
        self.tags_by_name = self.create_tags()
        self.insert_stories(self.plan_stories())
        return self.summary

    def demo_editor(self):
        user_model = get_user_model()
        user = user_model.objects.filter(username=DEMO_USERNAME).first()
        if user is None:
            user = user_model.objects.create_superuser(
                DEMO_USERNAME, email="editor@example.org", password=DEMO_PASSWORD
            )
            self.log(f"Demo admin: {DEMO_USERNAME} / {DEMO_PASSWORD}")
        return user

    def create_regions(self) -> dict[str, tuple[Region, DemoRegion]]:
        rows = Region.objects.bulk_create(
            Region(
                name=r.name,
                slug=r.slug,
                time_zone=r.time_zone,
                position=index * 10,
                description=r.description,
                is_active=r.is_active,
            )
            for index, r in enumerate(REGIONS)
        )
        self.summary.regions = len(rows)
        return {row.slug: (row, spec) for row, spec in zip(rows, REGIONS, strict=True)}

    def create_authors(self) -> list[Author]:
        """The staff: an editor-in-chief (the demo admin), photographers, reporters; their names."""
        rng = self.rng
        everyone = [
            (first, last, female)
            for female, firsts in ((False, MALE_NAMES), (True, FEMALE_NAMES))
            for first in firsts
            for last in SURNAMES
        ]
        regions = [spec for _, spec in self.regions.values() if spec.is_active]
        titles = (
            "главный редактор",
            "шеф-редактор",
            "выпускающий редактор",
            *[PHOTOGRAPHER] * 3,
        )
        staff = []
        for index, (first, last, female) in enumerate(rng.sample(everyone, AUTHOR_COUNT)):
            name = f"{first} {last}{'а' if female else ''}"
            title = titles[index] if index < len(titles) else rng.choice(JOB_TITLES)
            bio = _author_bio(rng, female, regions[index % len(regions)], title)
            author = Author(name=name, slug=slugify_ru(name), job_title=title, bio=bio)
            author.user = self.editor if index == 0 else None
            staff.append((author, female))
        photographers = _photographers([author for author, _ in staff])
        for index, (author, female) in enumerate(staff):
            if index % 3 == 0:  # a third of the staff have a portrait
                picture = draw_portrait(rng, max(self.photo_width // 2, 64), female)
                alt = f"Портрет: {author.name}"
                author.photo = self.save_photo(picture, alt, rng.choice(photographers))
            author.save()
        self.summary.authors = len(staff)
        return [author for author, _ in staff]

    def save_photo(self, data: bytes, alt: str, credit: str, caption: str = "") -> Photo:
        """Store through the ImageField: `photo_upload_to` names the file, Pillow the size."""
        photo = Photo(
            image=ContentFile(data, name="demo.jpg"),
            alt_text=alt,
            caption=caption,
            credit=credit,
            uploaded_by=self.editor,
        )
        photo.save()
        self.saved_files.append(photo.image.name)
        self.summary.photos += 1
        return photo

    def draw_photo_library(self) -> list[Photo]:
        if self.photo_count:
            self.log(f"Drawing {self.photo_count} photos…")
        library = []
        for index in range(self.photo_count):
            data, alt = draw_landscape(self.rng, index, self.photo_width)
            caption = f"{alt}. Иллюстрация из демонстрационного набора."
            library.append(self.save_photo(data, alt, self.rng.choice(self.photographers), caption))
        return library

    def create_tags(self) -> dict[str, Tag]:
        names = list(dict.fromkeys([*(tag for t in TOPICS for tag in t.tags), *GENERAL_TAGS]))
        tags = Tag.objects.bulk_create(Tag(name=name, slug=slugify_ru(name)) for name in names)
        self.summary.tags = len(tags)
        return {tag.name: tag for tag in tags}

    def plan_stories(self) -> list[_Plan]:
        """Statuses and times for every story, in the order the newsroom would have made them.

        Mostly published over the last ~18 months, denser lately, a few in the last 48 hours (a
        couple of those breaking); some drafts, some in review, some scheduled, some withdrawn.
        """
        rng, now, n = self.rng, self.now, self.article_count

        def share(fraction: float) -> int:
            return max(1, round(n * fraction)) if n >= 20 else 0

        hours = datetime.timedelta(hours=1)
        plans = [
            self.plan(Article.Status.DRAFT, None, now - hours * rng.uniform(1, 340))
            for _ in range(share(0.05))
        ]
        plans += [
            self.plan(Article.Status.REVIEW, None, now - hours * rng.uniform(1, 100))
            for _ in range(share(0.03))
        ]
        for _ in range(share(0.03)):  # scheduled: published, but due later
            plans.append(
                self.plan(
                    Article.Status.PUBLISHED,
                    now + hours * rng.uniform(2, 240),
                    now - hours * rng.uniform(1, 72),
                )
            )
        for _ in range(share(0.03)):  # withdrawn after publication
            when = now - hours * 24 * 548 * rng.random() ** 1.5
            plans.append(self.plan(Article.Status.UNPUBLISHED, when, when))
        published = n - len(plans)
        recent = min(published, max(3, published // 20))
        for index in range(published):
            if index < recent:
                when = now - hours * rng.uniform(0.2, 47)
            else:
                when = now - hours * (48 + 24 * 546 * rng.random() ** 2.2)
            plans.append(self.plan(Article.Status.PUBLISHED, when, when))
        last_two_days = plans[len(plans) - published :][:recent]
        for plan in rng.sample(last_two_days, max(1, recent // 4)) if last_two_days else ():
            plan.is_breaking = True
        plans.sort(key=lambda plan: plan.moment)
        return plans

    def plan(
        self, status: str, published_at: datetime.datetime | None, moment: datetime.datetime
    ) -> _Plan:
        region, spec = self.rng.choices(
            list(self.regions.values()), weights=[spec.weight for _, spec in self.regions.values()]
        )[0]
        return _Plan(moment, status, published_at, region, self.rng.choice(TOPICS))

    def insert_stories(self, plans: list[_Plan]) -> None:
        """Stories in batches; after each batch its ids are known and later stories link to it."""
        self.log(f"Writing {len(plans)} stories…")
        for batch in _growing_batches(plans, self.batch_size):
            articles = [self.new_article(plan) for plan in batch]
            Article.objects.bulk_create(articles, batch_size=self.batch_size)
            bylines, taggings, links = [], [], []
            for article, plan in zip(articles, batch, strict=True):
                bylines += self.bylines(article)
                taggings += self.taggings(article, plan.topic)
                links += self.related_links(article)
            ArticleAuthor.objects.bulk_create(bylines, batch_size=self.batch_size)
            TaggedArticle.objects.bulk_create(taggings, batch_size=self.batch_size)
            RelatedLink.objects.bulk_create(links, batch_size=self.batch_size)
            self.remember_visible(articles)
            self.summary.bylines += len(bylines)
            self.summary.taggings += len(taggings)
            self.summary.related_links += len(links)
            self.summary.articles += len(articles)
            self.progress(len(articles))
        self.backdate_stories()

    def new_article(self, plan: _Plan) -> Article:
        rng = self.rng
        spec = self.regions[plan.region.slug][1]
        text = write_story(rng, self.now.date(), spec, plan.topic, self.pick_earlier(plan.region))
        published = plan.published_at is not None
        return Article(
            headline=text.headline,
            slug=slugify_ru(text.headline),
            lead=text.lead,
            body=text.body,
            region=plan.region,
            status=plan.status,
            published_at=plan.published_at,
            is_breaking=plan.is_breaking,
            main_photo=rng.choice(self.photos) if self.photos and rng.random() < 0.85 else None,
            created_by=self.editor,
            updated_by=self.editor,
            published_by=self.editor if published else None,
        )

    def pick_earlier(self, region: Region) -> StoryRef | None:
        """An earlier visible story, from the same region more often than not, recent ones first."""
        pool = self.visible_by_region.get(region.slug) if self.rng.random() < 0.6 else None
        pool = pool or self.visible
        if not pool:
            return None
        return pool[max(0, len(pool) - 1 - int(len(pool) * self.rng.random() ** 3))]

    def bylines(self, article: Article) -> list[ArticleAuthor]:
        count = self.rng.choices((1, 2, 3), weights=(70, 22, 8))[0]
        return [
            ArticleAuthor(article=article, author=author, position=position)
            for position, author in enumerate(self.rng.sample(self.authors, count))
        ]

    def taggings(self, article: Article, topic: Topic) -> list[TaggedArticle]:
        rng = self.rng
        names = rng.sample(topic.tags, rng.randint(1, 3))
        names += rng.sample(GENERAL_TAGS, rng.randint(max(0, 2 - len(names)), 5 - len(names)))
        return [TaggedArticle(content_object=article, tag=self.tags_by_name[n]) for n in names]

    def related_links(self, article: Article) -> list[RelatedLink]:
        """A teaser block of 3–8: mostly earlier stories of the site, some external reading."""
        rng = self.rng
        count = rng.randint(3, 8)
        internal = sum(rng.random() < 0.8 for _ in range(count))
        targets: dict[int, StoryRef] = {}
        for _ in range(internal * 3):  # picks repeat in a small pool: a few tries, then external
            earlier = self.pick_earlier(article.region) if len(targets) < internal else None
            if earlier is not None:
                targets[earlier.id] = earlier
        links = [
            RelatedLink(
                article=article,
                kicker=rng.choice(INTERNAL_KICKERS),
                title=ref.headline,
                target_article_id=ref.id,
            )
            for ref in targets.values()
        ]
        while len(links) < count:
            title = rng.choice(EXTERNAL_TITLES)
            slug = _EXTERNAL_SLUGS[title]
            url = f"{rng.choice(EXTERNAL_SITES)}/{rng.randint(1000, 99999)}-{slug}"
            links.append(
                RelatedLink(
                    article=article,
                    kicker=rng.choice(EXTERNAL_KICKERS),
                    title=title,
                    external_url=url,
                )
            )
        rng.shuffle(links)
        for position, link in enumerate(links):
            link.position = position
        return links

    def remember_visible(self, articles: list[Article]) -> None:
        """Keep the batch's stories a reader can see, asked of published() itself, for links."""
        visible = set(
            Article.objects.published()
            .filter(pk__in=[article.pk for article in articles])
            .values_list("pk", flat=True)
        )
        for article in articles:
            if article.pk in visible:
                ref = StoryRef(
                    article.pk, article.get_absolute_url(), article.headline, article.region.slug
                )
                self.visible.append(ref)
                self.visible_by_region.setdefault(article.region.slug, []).append(ref)

    def backdate_stories(self) -> None:
        """`auto_now_add` stamped every row with today; a story was written when it came out."""
        Article.objects.filter(published_at__lte=self.now).update(
            created_at=F("published_at") - datetime.timedelta(hours=2),
            updated_at=F("published_at"),
        )


def _photographers(authors: list[Author]) -> list[str]:
    return [author.name for author in authors if author.job_title == PHOTOGRAPHER]


def _author_bio(rng: random.Random, female: bool, region: DemoRegion, title: str) -> str:
    if title == "главный редактор":
        first = "Руководит редакцией сети и отвечает за всё, что выходит на сайте."
    elif title == PHOTOGRAPHER:
        first = f"Снимает жизнь {region.of_city} и области."
    else:
        first = f"Пишет {rng.choice(TOPICS).about} {region.in_city}."
    worked = f"{'Работала' if female else 'Работал'} {rng.choice(EARLIER_JOBS)}."
    return f"{first} В журналистике с {rng.randint(1998, 2020)} года. {worked}"


def load_demo(
    *,
    articles: int = DEFAULT_ARTICLES,
    photos: int = DEFAULT_PHOTOS,
    seed: int = 1,
    photo_width: int = DEFAULT_PHOTO_WIDTH,
    batch_size: int = DEFAULT_BATCH_SIZE,
    log: Callable[[str], None] = lambda message: None,
    progress: Callable[[int], None] = lambda count: None,
) -> DemoSummary | None:
    """Fill an empty database with the demo newsroom; None (and no change) if it has content.

    All or nothing: one transaction, and on failure the photo files written so far are removed.
    """
    builder = DemoBuilder(
        articles=articles,
        photos=photos,
        seed=seed,
        photo_width=photo_width,
        batch_size=batch_size,
        log=log,
        progress=progress,
    )
    try:
        with transaction.atomic():
            if database_has_content():
                return None
            return builder.build()
    except BaseException:
        storage = Photo._meta.get_field("image").storage
        for name in builder.saved_files:
            storage.delete(name)
        raise
