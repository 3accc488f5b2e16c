"""`manage.py build_renditions`: make the renditions photos lack, e.g. after a bulk import."""

import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from articles.models import Photo
from articles.renditions import build_renditions, prefetch_renditions

# Photos per query: each chunk prefetches its renditions in one more query.
CHUNK_SIZE = 200


class Command(BaseCommand):
    # A plain string: argparse formats `help` itself and cannot take a lazy translation.
    help = (
        "Создаёт недостающие копии фотографий для сайта; с --force пересоздаёт все. "
        "Фото с повреждённым или отсутствующим файлом пропускаются с предупреждением в журнале."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Пересоздать все копии, а не только недостающие."),
        )

    def handle(self, *args, force: bool, verbosity: int, **options):
        photos = Photo.objects.order_by("pk").prefetch_related(prefetch_renditions("renditions"))
        created = processed = failed = 0
        with tqdm(
            total=Photo.objects.count(),
            unit=_("фото"),
            disable=verbosity == 0 or not sys.stderr.isatty(),
        ) as progress:
            for photo in photos.iterator(chunk_size=CHUNK_SIZE):
                result = build_renditions(photo, force=force)
                created += result.created
                failed += result.failed
                processed += 1
                progress.update()
        if verbosity:
            summary = _(
                "Фотографий: %(processed)d, создано копий: %(created)d, "
                "пропущено фото с негодным файлом: %(failed)d."
            ) % {"processed": processed, "created": created, "failed": failed}
            self.stdout.write(summary, self.style.WARNING if failed else self.style.SUCCESS)
