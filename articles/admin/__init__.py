"""The editorial desk: Django's admin, declarative where it can be, in Russian.

library: regions, authors, photos, tags; stories: the story list, form, workflow buttons, bulk
actions and the release queue; users: accounts with their regional roles; security: login
lockouts and the lockout page. Every decision of who may do what is asked of
articles/publishing/permissions.py.
"""

from . import library, security, stories, users  # noqa: F401 - each module registers its admins
