"""What tests of the desk's Russian share: the text a page shows as its own, and what is English.

A page's own words are its chrome: titles, labels, buttons, help, messages, headings, the action
menu, tooltips. Values the page shows (cells of the list, inputs, file names, slugs, time zones,
user names) are data and may be Latin; everything else must be Russian.
"""

import json
import re
from functools import cache
from pathlib import Path

import django
import lxml.html

# Latin words that Russian newsroom text uses as they are.
ALLOWED_LATIN = frozenset(
    # Acronyms and formats, the kicker of the demo data, keys as keyboards name them.
    "URL ID IP HTTP GET POST HTML SEO IANA LDAP UTC JPEG PNG WebP GIF Pro px".split()
    + "Alt Control Command Mac".split()
)


def _class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


# Elements whose text is a value, not the page's own words.
VALUE_XPATHS = [
    "//script",
    "//style",
    "//template",
    "//textarea",
    "//pre",
    "//code",
    "//bdi",
    "//table[@id='result_list']/tbody//td",
    "//table[@id='result_list']/tbody//th",
    f"//*[{_class('readonly')}]",
    f"//*[{_class('region-clock')}]",
    f"//p[{_class('file-upload')}]/a",
    "//select[not(@name='action')]//option",
    "//*[@id='user-tools']/strong",
    f"//*[{_class('select2-selection__rendered')}]",
    "//*[@id='changelist-filter']//li/a",
    "//*[@id='deleted-objects']//li",
]
OWN_ATTRIBUTES = ["title", "aria-label", "placeholder"]

_LATIN_WORD = re.compile(r"[A-Za-z](?:[A-Za-z'’-]*[A-Za-z])?")
# Addresses, paths and time zones in help texts are examples of values ("Europe/Kaliningrad").
_VALUE_TOKEN = re.compile(r"https?://\S+|\S*[A-Za-z_]/[A-Za-z_]\S*|\S+@\S+")


@cache
def english_admin_phrases() -> tuple[str, ...]:
    """Every phrase Django's admin and auth say in English (the msgids of their catalogues)."""
    root = Path(django.__file__).parent / "contrib"
    phrases = set()
    for catalogue in ("admin", "auth"):
        po = (root / catalogue / "locale/ru/LC_MESSAGES/django.po").read_text()
        for msgid in re.findall(r'^msgid "(.+)"$', po, flags=re.M):
            words = re.sub(r"%\(\w+\)[sd]|%s|\{\w+\}", " ", msgid).split()
            # Single short words (e.g. "Add") are caught by the Latin-word check instead.
            if len(words) >= 2 and len(" ".join(words)) >= 8:
                phrases.add(" ".join(words))
    return tuple(sorted(phrases))


def own_text(page: str) -> str:
    """The page's own words: its text and tooltips, values left out.

    The publication's name (the admin's header and title) is the operator's setting, not ours."""
    from django.contrib import admin

    for name in (admin.site.site_header, admin.site.site_title):
        page = page.replace(str(name), "")
    tree = lxml.html.fromstring(page)
    for xpath in VALUE_XPATHS:
        for element in tree.xpath(xpath):
            tail = element.tail
            element.clear()
            element.tail = tail
    parts = [tree.text_content()]
    for attribute in OWN_ATTRIBUTES:
        parts += tree.xpath(f"//@{attribute}")
    parts += [str(value) for value in tree.xpath("//input[@type='submit']/@value")]
    for data in tree.xpath("//@data-inline-formset"):
        parts.append(json.loads(data)["options"]["addText"])
    return " ".join(" ".join(parts).split())


def english_on(page: str) -> list[str]:
    """Latin words and English admin phrases among the page's own words."""
    text = _VALUE_TOKEN.sub(" ", own_text(page))
    found = [word for word in _LATIN_WORD.findall(text) if word not in ALLOWED_LATIN]
    found += [phrase for phrase in english_admin_phrases() if phrase in text]
    return found
