"""The project's translation catalogues: the compiled .mo files say what their .po sources say.

Django reads only the .mo; a .po edited without `make messages` would change nothing on the site.
"""

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings

CATALOGUES = sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/*.po"))


def read_po(path: Path) -> dict:
    """The entries of a .po file as gettext's catalogue keys them (context\\x04id, (id, n))."""
    entries, entry, key = {}, {}, None

    def flush():
        if "msgid" in entry:
            msgid = entry["msgid"]
            if "msgctxt" in entry:
                msgid = f"{entry['msgctxt']}\x04{msgid}"
            if "msgstr" in entry:
                entries[msgid] = entry["msgstr"]
            for name, value in entry.items():
                if name.startswith("msgstr["):
                    entries[(msgid, int(name[7:-1]))] = value
        entry.clear()

    for line in path.read_text().splitlines() + [""]:
        line = line.strip()
        if not line:
            flush()
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            if key in entry and key == "msgctxt":
                flush()
            entry[key] = ast.literal_eval(value)
    entries.pop("", None)  # the header
    return entries


@pytest.mark.parametrize(
    "po", CATALOGUES, ids=lambda path: str(path.relative_to(settings.BASE_DIR))
)
def test_the_compiled_catalogue_is_compiled_from_its_source(po):
    with po.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    compiled = {key: value for key, value in compiled.items() if key != ""}
    assert compiled == read_po(po), f"run `make messages`: {po} and its .mo differ"


def test_the_catalogues_exist():
    assert {path.name for path in CATALOGUES} == {"django.po", "djangojs.po"}
