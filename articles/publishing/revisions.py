"""Revisions: every save of a story kept whole, compared word by word, restored by the rules.

django-reversion keeps the versions: a story with its bylines, teasers and tag links in one
revision per save (the desk's form, a workflow step, a correction, a restore), and photos,
regions and authors on their own. Reading and restoring are ours, not reversion's: a restore
writes the story's text, photo, bylines, teasers and tags only, through the same permission as an
edit, and never its status or publication times, which belong to the workflow.
"""

import datetime
import difflib
import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import reversion
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from ..dates import format_dateline
from ..models import (
    Article,
    ArticleAuthor,
    ArticleStatus,
    Author,
    Photo,
    Region,
    RelatedLink,
    Tag,
    TaggedArticle,
)
from ..sanitizer import plain_text
from . import permissions

# What a restore brings back; status and times stay as the workflow left them.
RESTORED_FIELDS = (
    "headline",
    "slug",
    "lead",
    "body",
    "main_photo",
    "is_breaking",
    "seo_title",
    "seo_description",
)
TEXT_FIELDS = ("headline", "lead", "body")
# Shown field by field in a comparison, after the word-level diff of the text.
COMPARED_FIELDS = (
    "slug",
    "region_id",
    "main_photo_id",
    "is_breaking",
    "seo_title",
    "seo_description",
    "status",
    "published_at",
    "embargo_until",
    "unpublish_at",
)


class RestoreError(Exception):
    """A restore the desk refused; the message says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def register_models() -> None:
    """Tell reversion what a revision holds (called once, from the app's ready())."""
    reversion.register(ArticleAuthor)
    reversion.register(RelatedLink)
    reversion.register(TaggedArticle)
    reversion.register(Article, follow=("bylines", "related_links", "tagged_items"))
    for model in (Photo, Region, Author):
        reversion.register(model)


@contextmanager
def revision(user, comment: str) -> Iterator[None]:
    """A block whose saves make one revision by `user`; nested blocks join the outer one.

    Inside, a story is kept in the state `keep()` is last called with, so a save followed by its
    bylines, teasers and tags is one revision of the finished state."""
    if reversion.is_active():
        yield
        return
    with reversion.create_revision(manage_manually=True):
        reversion.set_user(user if getattr(user, "is_authenticated", False) else None)
        reversion.set_comment(str(comment))
        yield


def keep(article: Article) -> None:
    """Put the story as it is now (with its bylines, teasers and tags) into the open revision.

    Read afresh: the caller's object may carry bylines prefetched before the save changed them."""
    reversion.add_to_revision(Article.objects.get(pk=article.pk))


def history(article: Article) -> QuerySet[Version]:
    """The story's versions, newest first, each with its revision and who made it."""
    return (
        Version.objects.get_for_object(article)
        .select_related("revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def version_of(article: Article, version_id) -> Version | None:
    """One version of this story (None for a malformed id or another story's version)."""
    text = str(version_id)
    if not (text.isascii() and text.isdigit() and len(text) < 19):
        return None
    return history(article).filter(pk=int(text)).first()


def versions_around(article: Article, opened_at: datetime.datetime) -> tuple[int, int] | None:
    """The ids of the version a form was opened on and of the newest one, to compare them."""
    versions = history(article)
    newest = versions.first()
    opened = versions.filter(revision__date_created__lte=opened_at).first() or versions.last()
    if newest is None or opened is None or opened.pk == newest.pk:
        return None
    return opened.pk, newest.pk


@dataclass(frozen=True)
class Snapshot:
    """A version of a story as the desk compares it: fields, bylines, teasers and tags."""

    fields: dict
    bylines: list[int]
    teasers: list[dict]
    tags: list[int]


def snapshot(version: Version) -> Snapshot:
    """The story of a version, with the bylines, teasers and tags saved in the same revision."""
    related = Version.objects.filter(revision_id=version.revision_id).select_related("content_type")
    bylines, teasers, tags = [], [], []
    for part in related:
        model = part.content_type.model_class()
        data = part.field_dict
        # Reversion's field dicts are keyed by column (`article_id`), not by relation name.
        if model is ArticleAuthor and str(data["article_id"]) == version.object_id:
            bylines.append((data["position"], int(data["id"]), data["author_id"]))
        elif model is RelatedLink and str(data["article_id"]) == version.object_id:
            teasers.append(data)
        elif model is TaggedArticle and str(data["content_object_id"]) == version.object_id:
            tags.append(data["tag_id"])
    teasers.sort(key=lambda data: (data["position"], data["id"]))
    return Snapshot(
        fields=version.field_dict,
        bylines=[author for _, _, author in sorted(bylines)],
        teasers=teasers,
        tags=sorted(tags),
    )


_TOKEN = re.compile(r"\w+|[^\w\s]|\s+")


def word_diff(old: str, new: str) -> SafeString:
    """`new` against `old` word by word: removed words in <del>, added ones in <ins>, escaped.

    Neighbouring changed words separated only by spaces read as one change ("<del>старый
    заголовок</del><ins>новый заголовок</ins>"), not as a ladder of one-word swaps.
    """
    before, after = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    opcodes = difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes()
    parts, removed, added = [], [], []

    def flush():
        if removed:
            parts.append(f"<del>{html.escape(''.join(removed))}</del>")
        if added:
            parts.append(f"<ins>{html.escape(''.join(added))}</ins>")
        removed.clear()
        added.clear()

    for index, (op, a1, a2, b1, b2) in enumerate(opcodes):
        same = "".join(after[b1:b2])
        changed_around = 0 < index < len(opcodes) - 1 and (removed or added)
        if op == "equal" and not (changed_around and same.isspace()):
            flush()
            parts.append(html.escape(same))
            continue
        if op == "equal":  # a space between two changes joins them
            removed.append(same)
            added.append(same)
            continue
        removed.extend(before[a1:a2])
        added.extend(after[b1:b2])
    flush()
    return mark_safe("".join(parts).replace("\n", "<br>"))  # noqa: S308 - every part escaped


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Comparison:
    text: list[tuple[str, SafeString, bool]]  # (label, diff, changed)
    fields: list[FieldChange]


def compare(old: Version, new: Version) -> Comparison:
    """What changed from `old` to `new`: the text word by word, the rest field by field."""
    a, b = snapshot(old), snapshot(new)
    text = []
    for name in TEXT_FIELDS:
        before, after = a.fields.get(name) or "", b.fields.get(name) or ""
        if name == "body":
            before, after = plain_text(before), plain_text(after)
        text.append((_label(name), word_diff(before, after), before != after))
    zone = _zone(b.fields.get("region_id"))
    fields = [
        FieldChange(
            _label(name),
            _show(name, a.fields.get(name), zone),
            _show(name, b.fields.get(name), zone),
        )
        for name in COMPARED_FIELDS
        if a.fields.get(name) != b.fields.get(name)
    ]
    names = _author_names(a.bylines + b.bylines)
    if a.bylines != b.bylines:
        fields.append(
            FieldChange(
                str(_("авторы")),
                ", ".join(names.get(pk, "?") for pk in a.bylines) or "—",
                ", ".join(names.get(pk, "?") for pk in b.bylines) or "—",
            )
        )
    if a.tags != b.tags:
        tag_names = dict(Tag.objects.filter(pk__in=a.tags + b.tags).values_list("pk", "name"))
        fields.append(
            FieldChange(
                str(_("теги")),
                ", ".join(sorted(tag_names.get(pk, "?") for pk in a.tags)) or "—",
                ", ".join(sorted(tag_names.get(pk, "?") for pk in b.tags)) or "—",
            )
        )
    if _teaser_lines(a.teasers) != _teaser_lines(b.teasers):
        fields.append(
            FieldChange(
                str(_("ссылки по теме")),
                "\n".join(_teaser_lines(a.teasers)) or "—",
                "\n".join(_teaser_lines(b.teasers)) or "—",
            )
        )
    return Comparison(text=text, fields=fields)


def _label(name: str) -> str:
    return str(Article._meta.get_field(name.removesuffix("_id")).verbose_name)


def _zone(region_id) -> str:
    region = Region.objects.filter(pk=region_id).only("time_zone").first()
    return region.time_zone if region else timezone.get_default_timezone_name()


def _show(name: str, value, zone: str) -> str:
    if value in (None, ""):
        return "—"
    if name == "region_id":
        return str(Region.objects.filter(pk=value).first() or value)
    if name == "main_photo_id":
        return str(Photo.objects.filter(pk=value).first() or value)
    if name == "status":
        return str(ArticleStatus(value).label) if value in ArticleStatus.values else str(value)
    if name == "is_breaking":
        return str(_("да") if value else _("нет"))
    if isinstance(value, datetime.datetime):
        return format_dateline(value, zone)
    return str(value)


def _author_names(ids: list[int]) -> dict[int, str]:
    return dict(Author.objects.filter(pk__in=set(ids)).values_list("pk", "name"))


def _teaser_lines(teasers: list[dict]) -> list[str]:
    return [
        " ".join(
            part
            for part in (
                f"[{t['kicker']}]" if t.get("kicker") else "",
                t.get("title", ""),
                f"→ #{t['target_article']}"
                if t.get("target_article")
                else t.get("external_url", ""),
            )
            if part
        )
        for t in teasers
    ]


def restore(*, article: Article, version: Version, user) -> Article:
    """Bring the story's text, photo, bylines, teasers and tags back to `version`, as a new save.

    Refused when the user may not edit the story now (a journalist and a published story, say)
    or the version is not this story's; the body goes through the sanitizer on save as always.
    """
    if (
        str(version.object_id) != str(article.pk)
        or version.content_type.model_class() is not Article
    ):
        raise RestoreError(_("Эта версия принадлежит другому материалу."))
    with transaction.atomic():
        locked = Article.objects.select_for_update().select_related("region").get(pk=article.pk)
        if not permissions.can_edit(user, locked):
            raise RestoreError(
                _("Восстановить версию может тот, кто вправе править материал сейчас.")
            )
        past = snapshot(version)
        when = format_dateline(version.revision.date_created, locked.region.time_zone)
        with revision(user, _("Восстановлена версия от %(when)s") % {"when": when}):
            for name in RESTORED_FIELDS:
                attname = Article._meta.get_field(name).attname
                setattr(locked, attname, past.fields.get(attname))
            if locked.main_photo_id and not Photo.objects.filter(pk=locked.main_photo_id).exists():
                locked.main_photo_id = None  # the photo has been deleted since
            locked.updated_by = user
            locked.save()
            _restore_bylines(locked, past.bylines)
            _restore_teasers(locked, past.teasers)
            _restore_tags(locked, past.tags)
            keep(locked)
    return locked


def _restore_bylines(article: Article, author_ids: list[int]) -> None:
    article.bylines.all().delete()
    existing = set(Author.objects.filter(pk__in=author_ids).values_list("pk", flat=True))
    ArticleAuthor.objects.bulk_create(
        ArticleAuthor(article=article, author_id=pk, position=index)
        for index, pk in enumerate(pk for pk in author_ids if pk in existing)
    )


def _restore_teasers(article: Article, teasers: list[dict]) -> None:
    article.related_links.all().delete()
    targets = {t["target_article_id"] for t in teasers if t.get("target_article_id")}
    alive = set(Article.objects.filter(pk__in=targets).values_list("pk", flat=True))
    RelatedLink.objects.bulk_create(
        RelatedLink(
            article=article,
            kicker=t.get("kicker", ""),
            title=t.get("title", ""),
            target_article_id=t.get("target_article_id"),
            external_url=t.get("external_url", ""),
            position=index,
        )
        for index, t in enumerate(
            t for t in teasers if not t.get("target_article_id") or t["target_article_id"] in alive
        )
    )


def _restore_tags(article: Article, tag_ids: list[int]) -> None:
    article.tags.set(list(Tag.objects.filter(pk__in=tag_ids)))


def history_rows(article: Article) -> list[dict]:
    """The story's versions for the desk's list: when, who, what the save said."""
    zone = article.region.time_zone
    return [
        {
            "version": version,
            "when": format_dateline(version.revision.date_created, zone),
            "who": _person(version.revision.user),
            "comment": version.revision.get_comment(),
        }
        for version in history(article)
    ]


def _person(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()
