"""The editorial desk: Django's admin, declarative where it can be, in Russian.

library: regions, authors, photos, tags; stories: the story list, form, workflow buttons, bulk
actions, the release queue and the revision pages; users: accounts with their regional roles and
groups; security: login lockouts and the lockout page; tasks: the task queue's results. grammar
puts each model's name into Django's phrases in the case Russian needs. Every decision of who may
do what is asked of articles/publishing/permissions.py.
"""

from . import library, security, stories, tasks, users  # noqa: F401 - each module registers admins
