"""`manage.py purge_pages`: drop cached pages by surrogate key, or all of them, now.

For an operator: after a deploy that changes templates (`--all`), after a bulk import or a
`build_renditions` run that wrote around the model signals, or to see a purge through by hand.
Runs the purge task in this process, so the shared page cache (Redis) and every edge in
EDGE_PURGE_URLS are purged before it returns; a page cache in local memory belongs to the server
process, which a restart empties.
"""

import re

from django.core.management.base import BaseCommand, CommandError

from articles.caching import dependencies, purges

KEY = re.compile(r"[a-z0-9-]{1,100}")


class Command(BaseCommand):
    # A plain string: argparse formats `help` itself and cannot take a lazy translation.
    help = (
        "Удаляет из кэша страниц и с пограничного кэша страницы с данными ключами "
        "(например, story-12 stories-region-3) или, с --all, все."
    )

    def add_arguments(self, parser):
        parser.add_argument("keys", nargs="*", help="Ключи, как в заголовке Surrogate-Key.")
        parser.add_argument("--all", action="store_true", help="Все страницы.")

    def handle(self, *args, keys: list[str], all: bool, **options):
        if all:
            keys = [*keys, dependencies.ALL]
        if not keys:
            raise CommandError("Укажите ключи или --all.")
        bad = [key for key in keys if not KEY.fullmatch(key)]
        if bad:
            raise CommandError(f"Это не ключи: {', '.join(bad)}")
        outcome = purges.purge_pages.call(keys=sorted(set(keys)))
        self.stdout.write(
            f"Кэш страниц: удалено {outcome['page_cache']}; "
            f"пограничные кэши: {outcome['edges'] or 'не настроены'}"
        )
