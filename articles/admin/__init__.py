"""The editorial desk: Django's admin, declarative where it can be, in Russian.

library: regions, authors, photos, tags; stories: the story list, form, workflow buttons, bulk
actions and the release queue; users: accounts with their regional roles. Every decision of who
may do what is asked of articles/publishing/permissions.py.
"""

from . import library, stories, users  # noqa: F401 - each module registers its admins
