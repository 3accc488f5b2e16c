"""The demo's people at the desk: one account for each role, all with the published password.

Each account shows one role of articles/publishing/permissions.py at work: a journalist and a
regional editor of Kaliningrad (a group and a row of `RegionMembership` each), a chief editor and
an administrator (a group each, every region), beside the superuser `editor` the demo has always
had. The password is written in the README, so `seed_demo` makes these accounts on a
production-like server (DEBUG off) only when told to.
"""

from dataclasses import dataclass

from ..models import RegionalRole
from ..publishing.roles import (
    ADMIN_GROUP,
    CHIEF_EDITOR_GROUP,
    JOURNALIST_GROUP,
    REGIONAL_EDITOR_GROUP,
)

DEMO_PASSWORD = "newsroom-demo"  # noqa: S105 - a published demo password, not a secret
DEMO_USERNAME = "editor"  # the superuser, as before the roles came
DEMO_REGION = "kaliningrad"  # where the journalist and the regional editor work


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    group: str | None = None
    regional_role: str | None = None  # a RegionalRole in DEMO_REGION
    job_title: str | None = None  # they write: an Author profile (byline, author page) is theirs
    female: bool = False
    is_superuser: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


SUPERUSER = DemoAccount(DEMO_USERNAME, "", "", is_superuser=True)
JOURNALIST = DemoAccount(
    "journalist",
    "Полина",
    "Ветрова",
    group=JOURNALIST_GROUP,
    regional_role=RegionalRole.JOURNALIST,
    job_title="корреспондент",
    female=True,
)
REGIONAL_EDITOR = DemoAccount(
    "regional-editor",
    "Глеб",
    "Тихонов",
    group=REGIONAL_EDITOR_GROUP,
    regional_role=RegionalRole.EDITOR,
    job_title="редактор региона",
)
CHIEF_EDITOR = DemoAccount("chief-editor", "Марина", "Белова", group=CHIEF_EDITOR_GROUP)
ADMIN = DemoAccount("admin", "Роман", "Гусев", group=ADMIN_GROUP)

DEMO_ACCOUNTS = (SUPERUSER, JOURNALIST, REGIONAL_EDITOR, CHIEF_EDITOR, ADMIN)
DEMO_USERNAMES = tuple(account.username for account in DEMO_ACCOUNTS)
