"""`manage.py prune_revisions`: forget old revisions, but never a published version of a story.

A busy story is saved hundreds of times; its drafts of a year ago are rarely wanted, while what
readers once saw is part of the record. So: revisions older than --days (REVISION_KEEP_DAYS) go,
except the newest version of every object and every story version whose status was published.
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from reversion.models import Revision, Version

from articles.models import Article, ArticleStatus

BATCH = 1000


class Command(BaseCommand):
    help = (
        "Delete revisions older than --days, keeping every published version of a story and the "
        "newest version of every object."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.REVISION_KEEP_DAYS,
            help=f"Keep revisions younger than this (default {settings.REVISION_KEEP_DAYS}).",
        )

    def handle(self, *args, days: int, verbosity: int = 1, **options):
        if days < 1:
            self.stderr.write("--days must be at least 1.")
            return
        cutoff = timezone.now() - datetime.timedelta(days=days)
        newest = set(
            Version.objects.values("content_type_id", "object_id")
            .annotate(newest=Max("pk"))
            .values_list("newest", flat=True)
        )
        story_type = ContentType.objects.get_for_model(Article)
        keep_revisions = set()
        old = Version.objects.filter(revision__date_created__lt=cutoff).only(
            "pk", "revision_id", "content_type_id", "serialized_data", "format", "object_id"
        )
        for version in old.iterator(chunk_size=BATCH):
            if version.pk in newest:
                keep_revisions.add(version.revision_id)
            elif version.content_type_id == story_type.pk and _was_published(version):
                keep_revisions.add(version.revision_id)
        doomed = Revision.objects.filter(date_created__lt=cutoff).exclude(pk__in=keep_revisions)
        with transaction.atomic():
            count = doomed.count()
            doomed.delete()
        if verbosity:
            self.stdout.write(f"Deleted {count} revisions older than {days} days.")


def _was_published(version: Version) -> bool:
    return version.field_dict.get("status") == ArticleStatus.PUBLISHED
