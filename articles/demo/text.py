"""Stories in Russian from the beats' templates: headline, lead and an HTML body.

A story's facts (numbers, streets, speakers) are drawn once and reused, so a number means the same
in every sentence, and every noun agrees with its number.
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import escape

from .regions import DemoRegion
from .topics import Topic
from .words import (
    CLOSINGS,
    DISTRICTS,
    EXPERT_CLAIMS,
    EXPERTS,
    FEMALE_NAMES,
    LEAD_TAILS,
    LINK_SENTENCES,
    LIST_INTROS,
    MALE_NAMES,
    RESIDENT_QUOTES,
    RESIDENTS,
    SAID,
    STREET_KINDS,
    STREET_NAMES,
    SUBHEADS,
    SURNAMES,
    WHEN,
)


def plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian noun form agreeing with n: 1 день, 2 дня, 5 дней, 21 день, 12 дней."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


class _Num(int):
    """A number that formats as its agreeing noun with a spec: f"{n:день/дня/дней}" → "дня"."""

    def __format__(self, spec: str) -> str:
        return plural(self, *spec.split("/")) if "/" in spec else super().__format__(spec)


def _number(low: int, high: int) -> Callable[["_Slots"], _Num]:
    return lambda slots: _Num(slots.rng.randint(low, high))


def _money(slots: "_Slots") -> str:
    rng = slots.rng
    if rng.random() < 0.7:
        return f"{rng.randint(5, 950)} млн рублей"
    return f"{rng.randint(1, 40)},{rng.randint(1, 9)} млрд рублей"


def _person(rng: random.Random) -> tuple[str, bool]:
    female = rng.random() < 0.5
    first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
    last = rng.choice(SURNAMES)
    return f"{first} {last}{'а' if female else ''}", female


def _speaker(roles: Callable[["_Slots"], tuple[str, ...] | str]):
    """A named person with a role; also fills `<key>_said` with the verb in their gender."""

    def make(slots: "_Slots", key: str) -> str:
        name, female = _person(slots.rng)
        role = roles(slots)
        role = role[female] if isinstance(role, tuple) else role
        slots[f"{key}_said"] = slots.rng.choice(SAID)[female]
        return f"{role} {name}"

    return make


_SLOT_MAKERS = {
    "count": _number(2, 12),
    "count2": _number(2, 40),
    "days": _number(2, 45),
    "hours": _number(1, 9),
    "minutes": _number(3, 15),
    "years": _number(10, 60),
    "visitors": _number(800, 9000),
    "runners": _number(900, 9000),
    "jobs": _number(40, 1500),
    "places": _number(300, 1500),
    "doctors": _number(12, 80),
    "tons": _number(2, 40),
    "km": _number(2, 14),
    "small": _number(2, 9),
    "percent": lambda s: f"{s.rng.randint(3, 38)}%",
    "money": _money,
    "year": lambda s: s.today.year + s.rng.randint(0, 1),
    "heat": lambda s: f"+{s.rng.randint(29, 38)} °C",
    "frost": lambda s: f"−{s.rng.randint(22, 42)} °C",
    "when": lambda s: s.rng.choice(WHEN),
    "street": lambda s: f"{s.rng.choice(STREET_KINDS)} {s.rng.choice(STREET_NAMES)}",
    "district": lambda s: f"в микрорайоне «{s.rng.choice(DISTRICTS)}»",
    "city": lambda s: s.region.name,
    "v_gorode": lambda s: s.region.in_city,
    "goroda": lambda s: s.region.of_city,
}
_SPEAKERS = {
    "official": _speaker(lambda s: s.rng.choice(s.topic.officials)),
    "resident": _speaker(lambda s: s.rng.choice(RESIDENTS)),
    "expert": _speaker(lambda s: s.rng.choice(EXPERTS)),
}


class _Slots(dict):
    """The facts of one story, made on first use so a number means the same in every sentence."""

    def __init__(self, rng: random.Random, today: datetime.date, region: DemoRegion, topic: Topic):
        super().__init__()
        self.rng, self.today, self.region, self.topic = rng, today, region, topic

    def __missing__(self, key: str):
        if key[:1].isupper():
            text = str(self[key[0].lower() + key[1:]])
            value = text[:1].upper() + text[1:]
        elif key.endswith("_said"):
            self[key.removesuffix("_said")]  # making the speaker sets their verb too
            return dict.__getitem__(self, key)
        elif key in _SPEAKERS:
            value = _SPEAKERS[key](self, key)
        else:
            value = _SLOT_MAKERS[key](self)
        self[key] = value
        return value

    def fill(self, template: str) -> str:
        return template.format_map(self)


@dataclass(frozen=True, slots=True)
class StoryRef:
    """A story already in the database that later stories may link to."""

    id: int
    url: str
    headline: str
    region_slug: str


@dataclass(frozen=True)
class StoryText:
    headline: str
    lead: str
    body: str


def _p(text: str) -> str:
    return f"<p>{text}</p>"


def write_story(
    rng: random.Random,
    today: datetime.date,
    region: DemoRegion,
    topic: Topic,
    earlier: StoryRef | None,
) -> StoryText:
    """One story in Russian: headline, lead and an HTML body linking to an earlier story."""
    slots = _Slots(rng, today, region, topic)
    headline = slots.fill(rng.choice(topic.headlines))
    facts = [slots.fill(fact) for fact in rng.sample(topic.facts, 4)]
    lead = f"{facts[0]} {rng.choice(LEAD_TAILS)}"

    blocks = [_p(f"{facts[1]} {facts[2]}")]
    quote = slots.fill(rng.choice(topic.quotes))
    blocks.append(_p(f"«{quote}», — {slots['official_said']} {slots['official']}."))
    if rng.random() < 0.6:
        blocks.append(f"<h2>{rng.choice(SUBHEADS)}</h2>")
    blocks.append(_p(f"{slots['Expert']} считает, что {rng.choice(EXPERT_CLAIMS)}."))
    if rng.random() < 0.35:
        items = "".join(f"<li>{slots.fill(item)}</li>" for item in rng.sample(topic.items, 3))
        blocks += [_p(rng.choice(LIST_INTROS)), f"<ul>{items}</ul>"]
    said = f"«{rng.choice(RESIDENT_QUOTES)}», — {slots['resident_said']} {slots['resident']}."
    blocks.append(f"<blockquote>{_p(said)}</blockquote>" if rng.random() < 0.3 else _p(said))
    if earlier is not None:
        link = f'<a href="{escape(earlier.url)}">{escape(earlier.headline)}</a>'
        blocks.append(_p(rng.choice(LINK_SENTENCES).format(link=link)))
    blocks.append(_p(f"{facts[3]} {slots.fill(rng.choice(CLOSINGS))}"))
    return StoryText(headline=headline, lead=lead, body="\n".join(blocks))
