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
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import (
    Article,
    ArticleAuthor,
    Author,
    Photo,
    Region,
    RegionMembership,
    RelatedLink,
    StatusChange,
    Tag,
    TaggedArticle,
)
from ..slugs import slugify_ru
from .accounts import (
    CHIEF_EDITOR,
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DEMO_REGION,
    DEMO_USERNAME,
    DEMO_USERNAMES,
    JOURNALIST,
    REGIONAL_EDITOR,
)
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
    REVIEW_NOTES,
    SCHEDULE_NOTES,
    SURNAMES,
)

DEFAULT_ARTICLES = 500
DEFAULT_PHOTOS = 40
DEFAULT_PHOTO_WIDTH = 1600  # 1600x1067, the 3:2 frame of a camera
DEFAULT_BATCH_SIZE = 2000
AUTHOR_COUNT = 24  # besides the journalist's and the regional editor's own profiles
# The journalist's own stories: at most this many drafts and stories in review (half of each when
# the demo is small), so the desk has something to show each role without flooding a big demo.
JOURNALIST_DRAFTS = 6
JOURNALIST_REVIEWS = 3
PHOTOGRAPHER = "фотокорреспондент"

# The external titles' slugs, made once rather than for every link.
_EXTERNAL_SLUGS = {title: slugify_ru(title) for title in EXTERNAL_TITLES}


def database_has_content() -> bool:
    """The demo fills only an empty newsroom: any region, story, author, photo or tag stops it."""
    return any(model.objects.exists() for model in (Region, Article, Author, Photo, Tag))


@dataclass
class DemoSummary:
    accounts: int = 0  # created; an account that existed already is left as it was
    regions: int = 0
    authors: int = 0
    photos: int = 0
    tags: int = 0
    articles: int = 0
    bylines: int = 0
    taggings: int = 0
    related_links: int = 0
    status_changes: int = 0


@dataclass(slots=True)
class _Plan:
    """When and where a story appears, decided for all stories before any text is written."""

    moment: datetime.datetime  # its place in the newsroom's history, and so in id order
    status: str
    published_at: datetime.datetime | None
    region: Region
    topic: Topic
    is_breaking: bool = False
    by_journalist: bool = False  # the demo journalist's own story, in their region


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
        self.regions = self.create_regions()
        self.home_region = self.regions[DEMO_REGION][0]
        self.users = self.create_accounts()
        self.editor = self.users[DEMO_USERNAME]
        self.journalist = self.users[JOURNALIST.username]
        self.regional_editor = self.users[REGIONAL_EDITOR.username]
        self.chief_editor = self.users[CHIEF_EDITOR.username]
        self.authors = self.create_authors()
        self.photographers = _photographers(self.authors)
        self.photos = self.draw_photo_library()
        self.tags_by_name = self.create_tags()
        self.insert_stories(self.plan_stories())
        return self.summary

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

    def create_accounts(self) -> dict:
        """One staff account per desk role (see accounts.py), by username; existing ones kept.

        An account of that name made by someone else keeps its password, groups and regions: the
        demo only adds people, it never changes what an existing login may do.
        """
        user_model = get_user_model()
        users = user_model.objects.in_bulk(DEMO_USERNAMES, field_name="username")
        for username in users:
            self.log(f"Account {username!r} already exists: left as it is.")
        missing = [account for account in DEMO_ACCOUNTS if account.username not in users]
        if not missing:
            return users
        # One hash for all: PBKDF2 takes a good part of a second each, and the password is public.
        password = make_password(DEMO_PASSWORD)
        groups = Group.objects.in_bulk([a.group for a in missing if a.group], field_name="name")
        memberships = []
        for account in missing:
            user = user_model.objects.create(
                username=account.username,
                first_name=account.first_name,
                last_name=account.last_name,
                email=f"{account.username}@example.org",
                password=password,
                is_staff=True,
                is_superuser=account.is_superuser,
            )
            if account.group:
                user.groups.add(groups[account.group])
            if account.regional_role:
                memberships.append(
                    RegionMembership(user=user, region=self.home_region, role=account.regional_role)
                )
            users[account.username] = user
        RegionMembership.objects.bulk_create(memberships)
        self.summary.accounts = len(missing)
        names = ", ".join(account.username for account in missing)
        self.log(f"Demo accounts (password {DEMO_PASSWORD}): {names}")
        return users

    def create_authors(self) -> list[Author]:
        """The staff: an editor-in-chief (the demo admin), photographers, reporters; their names.

        The demo journalist and regional editor are among them under their own names, each linked
        to their account, so their bylines and author pages are theirs.
        """
        rng = self.rng
        taken = {account.full_name for account in DEMO_ACCOUNTS}
        everyone = [
            (first, last, female)
            for female, firsts in ((False, MALE_NAMES), (True, FEMALE_NAMES))
            for first in firsts
            for last in SURNAMES
            if f"{first} {last}{'а' if female else ''}" not in taken
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
        home = self.regions[DEMO_REGION][1]
        self.own_author = {}
        for account in (JOURNALIST, REGIONAL_EDITOR):
            user = self.users[account.username]
            author = Author(
                name=account.full_name,
                slug=slugify_ru(account.full_name),
                job_title=account.job_title,
                bio=_author_bio(rng, account.female, home, account.job_title),
                user=user,
            )
            self.own_author[user.pk] = author
            staff.append((author, account.female))
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
        drafts = [
            self.plan(Article.Status.DRAFT, None, now - hours * rng.uniform(1, 340))
            for _ in range(share(0.05))
        ]
        reviews = [
            self.plan(Article.Status.REVIEW, None, now - hours * rng.uniform(1, 100))
            for _ in range(share(0.03))
        ]
        self.give_to_journalist(drafts, JOURNALIST_DRAFTS)
        self.give_to_journalist(reviews, JOURNALIST_REVIEWS)
        plans = drafts + reviews
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

    def give_to_journalist(self, plans: list[_Plan], cap: int) -> None:
        """The first of these unpublished stories become the demo journalist's, in their region."""
        for plan in plans[: min(cap, max(2, (len(plans) + 1) // 2))]:
            plan.region = self.home_region
            plan.by_journalist = True

    def insert_stories(self, plans: list[_Plan]) -> None:
        """Stories in batches; after each batch its ids are known and later stories link to it."""
        self.log(f"Writing {len(plans)} stories…")
        for batch in _growing_batches(plans, self.batch_size):
            articles = [self.new_article(plan) for plan in batch]
            Article.objects.bulk_create(articles, batch_size=self.batch_size)
            bylines, taggings, links, trail = [], [], [], []
            for article, plan in zip(articles, batch, strict=True):
                bylines += self.bylines(article, plan)
                taggings += self.taggings(article, plan.topic)
                links += self.related_links(article)
                trail += self.status_changes(article, plan)
            ArticleAuthor.objects.bulk_create(bylines, batch_size=self.batch_size)
            TaggedArticle.objects.bulk_create(taggings, batch_size=self.batch_size)
            RelatedLink.objects.bulk_create(links, batch_size=self.batch_size)
            StatusChange.objects.bulk_create(trail, batch_size=self.batch_size)
            self.remember_visible(articles)
            self.summary.bylines += len(bylines)
            self.summary.taggings += len(taggings)
            self.summary.related_links += len(links)
            self.summary.status_changes += len(trail)
            self.summary.articles += len(articles)
            self.progress(len(articles))
        self.backdate_stories()

    def new_article(self, plan: _Plan) -> Article:
        rng = self.rng
        spec = self.regions[plan.region.slug][1]
        text = write_story(rng, self.now.date(), spec, plan.topic, self.pick_earlier(plan.region))
        published = plan.published_at is not None
        writer = self.journalist if plan.by_journalist else self.editor
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
            created_by=writer,
            updated_by=writer,
            published_by=self.publisher(plan.region) if published else None,
        )

    def publisher(self, region: Region):
        """Who put a story out: the regional editor at home, the chief editor everywhere else."""
        return self.regional_editor if region.pk == self.home_region.pk else self.chief_editor

    def pick_earlier(self, region: Region) -> StoryRef | None:
        """An earlier visible story, from the same region more often than not, recent ones first."""
        pool = self.visible_by_region.get(region.slug) if self.rng.random() < 0.6 else None
        pool = pool or self.visible
        if not pool:
            return None
        return pool[max(0, len(pool) - 1 - int(len(pool) * self.rng.random() ** 3))]

    def bylines(self, article: Article, plan: _Plan) -> list[ArticleAuthor]:
        """One to three authors; the demo journalist comes first on their own stories."""
        count = self.rng.choices((1, 2, 3), weights=(70, 22, 8))[0]
        own = self.own_author.get(article.created_by_id) if plan.by_journalist else None
        if own is None:
            authors = self.rng.sample(self.authors, count)
        else:
            others = [author for author in self.authors if author.pk != own.pk]
            authors = [own, *self.rng.sample(others, count - 1)]
        return [
            ArticleAuthor(article=article, author=author, position=position)
            for position, author in enumerate(authors)
        ]

    def status_changes(self, article: Article, plan: _Plan) -> list[StatusChange]:
        """The audit trail's step that explains the story's state, where the desk needs one.

        The journalist's stories in review were handed over by them, with a note to the editor;
        a scheduled story was put on the clock by the editor who publishes it.
        """
        if plan.by_journalist and plan.status == Article.Status.REVIEW:
            return [
                StatusChange(
                    article=article,
                    from_status=Article.Status.DRAFT,
                    to_status=Article.Status.REVIEW,
                    comment=self.rng.choice(REVIEW_NOTES),
                    changed_by=article.created_by,
                )
            ]
        if plan.status == Article.Status.PUBLISHED and plan.published_at > self.now:
            return [
                StatusChange(
                    article=article,
                    from_status=Article.Status.REVIEW,
                    to_status=Article.Status.PUBLISHED,
                    published_at=plan.published_at,
                    comment=self.rng.choice(SCHEDULE_NOTES),
                    changed_by=article.published_by,
                )
            ]
        return []

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
