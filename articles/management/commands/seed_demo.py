"""`manage.py seed_demo`: fill an empty database with the demo newsroom (see articles/demo/)."""

import argparse
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from articles import demo


def _count(minimum: int):
    def parse(value: str) -> int:
        number = int(value)
        if number < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}")
        return number

    return parse


class _StoryProgress:
    """A tqdm bar that appears with the first inserted batch, below the setup messages."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled, self.bar = total, enabled, None

    def update(self, count: int) -> None:
        if self.enabled and self.bar is None:
            self.bar = tqdm(total=self.total, unit=" stories")
        if self.bar is not None:
            self.bar.update(count)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


_ACCOUNTS = ", ".join(demo.DEMO_USERNAMES)


class Command(BaseCommand):
    help = (
        "Fill an EMPTY database with a demo regional newsroom: regions, staff, a photo library "
        "drawn with Pillow and generated Russian stories, plus an account for each desk role "
        f"and a superuser: {_ACCOUNTS} (password {demo.DEMO_PASSWORD!r}, published in the "
        "README). Does nothing if the database already has content. With DEBUG off (a "
        "production-like server) it refuses to run unless --with-demo-accounts is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--articles",
            type=_count(0),
            default=demo.DEFAULT_ARTICLES,
            help=f"How many stories (default {demo.DEFAULT_ARTICLES}; 100000 takes minutes).",
        )
        parser.add_argument(
            "--photos",
            type=_count(0),
            default=demo.DEFAULT_PHOTOS,
            help=f"How many library photos to draw (default {demo.DEFAULT_PHOTOS}).",
        )
        parser.add_argument(
            "--photo-width",
            type=_count(64),
            default=demo.DEFAULT_PHOTO_WIDTH,
            help=f"Width of drawn photos in pixels, 3:2 (default {demo.DEFAULT_PHOTO_WIDTH}).",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed: the same seed, the same stories."
        )
        parser.add_argument(
            "--batch-size",
            type=_count(1),
            default=demo.DEFAULT_BATCH_SIZE,
            help=f"Rows per bulk insert (default {demo.DEFAULT_BATCH_SIZE}).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")
        parser.add_argument(
            "--with-demo-accounts",
            action="store_true",
            help=(
                f"Create the accounts {_ACCOUNTS} with the published password even though DEBUG "
                "is off: only on a server that is a demo and nothing else."
            ),
        )

    def handle(self, *args, **options):
        # Decided from the settings alone, before the database is opened: refused means untouched.
        if not settings.DEBUG and not options["with_demo_accounts"]:
            raise CommandError(
                f"DEBUG is off, so this looks like a production server. The demo newsroom comes "
                f"with the accounts {_ACCOUNTS}, whose password {demo.DEMO_PASSWORD!r} is "
                "published in the README: anyone could sign in to the desk. Nothing was changed. "
                "If this server is only a demo, run again with --with-demo-accounts."
            )
        started = time.monotonic()
        verbosity = options["verbosity"]
        show_bar = verbosity > 0 and not options["no_progress"] and self.stdout.isatty()
        progress = _StoryProgress(options["articles"], enabled=show_bar)
        try:
            summary = demo.load_demo(
                articles=options["articles"],
                photos=options["photos"],
                seed=options["seed"],
                photo_width=options["photo_width"],
                batch_size=options["batch_size"],
                log=self.stdout.write if verbosity > 0 else lambda message: None,
                progress=progress.update,
            )
        finally:
            progress.close()
        if summary is None:
            self.stdout.write(
                "The demo newsroom is already loaded (the database has regions, stories, authors, "
                "photos or tags): nothing changed."
            )
            return
        if verbosity > 0:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo newsroom loaded in {time.monotonic() - started:.1f} s: "
                    f"{summary.regions} regions, {summary.authors} authors, {summary.photos} "
                    f"photos, {summary.tags} tags, {summary.articles} stories, "
                    f"{summary.bylines} bylines, {summary.taggings} taggings, "
                    f"{summary.related_links} related links, {summary.status_changes} status "
                    f"changes. Accounts ({summary.accounts} new), password {demo.DEMO_PASSWORD} "
                    f"(demo only): {_ACCOUNTS}."
                )
            )
