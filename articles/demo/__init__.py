"""A believable demo newsroom, generated on the spot: regions, authors, a photo library, stories.

`manage.py seed_demo` loads it into an empty database so the site can be tried, shown and
load-tested without real content. Why generate rather than ship a fixture: real news would copy
other publications' words and pictures, and a fixture big enough to load-test listings (100,000
stories) would weigh hundreds of megabytes. Everything here comes from word lists written for this
project and pictures drawn with Pillow, driven by one seeded `random.Random`, so two runs with the
same seed tell the same stories (only the dates, which follow the clock, and the photo file names
differ).

The package:

- `accounts`: the desk's people, one login per role, all with the published demo password;
- `regions`, `topics`, `words`: the network's cities, the beats with their story templates, and
  the shared vocabulary (names, streets, quotes, kickers);
- `text`: headlines, leads and HTML bodies from those templates, nouns agreeing with numbers;
- `pictures`: landscapes and byline portraits drawn with Pillow;
- `builder`: the bulk database writes, and `load_demo`, the way in.
"""

from .accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_REGION, DEMO_USERNAME, DEMO_USERNAMES
from .builder import (
    DEFAULT_ARTICLES,
    DEFAULT_BATCH_SIZE,
    DEFAULT_PHOTO_WIDTH,
    DEFAULT_PHOTOS,
    load_demo,
)
from .pictures import draw_landscape
from .regions import REGIONS
from .text import _Num, plural, write_story
from .topics import TOPICS

__all__ = [
    "DEFAULT_ARTICLES",
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_PHOTOS",
    "DEFAULT_PHOTO_WIDTH",
    "DEMO_ACCOUNTS",
    "DEMO_PASSWORD",
    "DEMO_REGION",
    "DEMO_USERNAME",
    "DEMO_USERNAMES",
    "REGIONS",
    "TOPICS",
    "_Num",
    "draw_landscape",
    "load_demo",
    "plural",
    "write_story",
]
