"""Plain-text hygiene shared by every text field of the newsroom.

Control characters other than tab, newline and carriage return are invalid in XML 1.0, and so are
the non-characters U+FFFE and U+FFFF: one of them in a headline would break every feed and sitemap
that carries it, so they never reach the database.
"""

import re

_XML_INVALID_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def strip_control_characters(value: str) -> str:
    """Remove the characters XML 1.0 forbids; keep tab and line breaks."""
    return _XML_INVALID_CONTROL.sub("", value)
