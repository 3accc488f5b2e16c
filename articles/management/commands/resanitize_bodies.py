"""`manage.py resanitize_bodies`: stored story bodies brought to the sanitizer's allow-list.

Bodies are sanitized once, when written, and served as stored. After a change of the allow-list
(articles/sanitizer.py), this re-sanitizes them: in batches, writing only the bodies that change,
and purging the pages of those stories (their page, their items in the full-text feeds, search
results) from the shared page cache and every edge, in this process as `purge_pages` does.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from articles.caching import dependencies, purges
from articles.models import Article
from articles.sanitizer import resanitize_stored


class Command(BaseCommand):
    help = (
        "Заново очищает сохранённые тексты материалов по текущим правилам санитайзера "
        "и сбрасывает из кэшей страницы изменившихся материалов."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Сколько материалов читать за раз."
        )

    def handle(self, *args, batch_size: int, **options):
        changed = 0
        batches = resanitize_stored(Article, batch_size=max(1, batch_size))
        while True:
            # Each batch's writes commit before its pages are purged.
            with transaction.atomic():
                pks = next(batches, None)
            if pks is None:
                break
            changed += len(pks)
            purges.purge_pages.call(keys=[dependencies.story(pk) for pk in pks])
        self.stdout.write(f"Тексты очищены заново: изменено {changed}.")
