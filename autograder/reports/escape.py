"""Student-controlled text made inert for each medium it is shown in: one helper per medium.

Invariant (trust invariant 2 of DESIGN.md): **student-controlled text is data
everywhere it is shown.** A student controls what their code prints, the
messages of the exceptions it raises, the names of their functions and
variables, their notebook's metadata, the names of the files they hand in and
(through the LMS) their roster fields. Every report, page and export routes
such text through the helper of its medium here, and nowhere builds its own
escaping:

=============  ==========================  ===================================================
medium         helper                      guarantee
=============  ==========================  ===================================================
HTML           :func:`html_text`           no markup: ``& < > " '`` escaped (safe in text and
                                           quoted attributes); characters HTML forbids
                                           (controls, lone surrogates, noncharacters) → U+FFFD
terminal       :func:`terminal_text`,      no escape sequence reaches the terminal: ESC and
               :func:`rich_text`           every C0/C1 control except newline and tab, and
                                           bidirectional overrides, are shown as ``\\x1b``
                                           style text; lone surrogates → U+FFFD;
                                           :func:`rich_text` is a ``rich.text.Text``, never
                                           parsed as rich markup (``[bold red]`` stays text)
CSV            :func:`csv_cell`            OWASP's rule against formula injection: a cell that
                                           begins with ``=``, ``+``, ``-``, ``@``, tab or CR
                                           gets a leading ``'`` (quoting is the ``csv``
                                           module's job)
JSON           :func:`json_text`           valid JSON for any input, in ASCII (``ensure_ascii``);
                                           lone surrogates → U+FFFD first, since strict
                                           decoders reject a ``\\udXXX`` escape without its pair
XML 1.0        :func:`xml_text`            only characters XML 1.0 allows (controls other than
                                           tab/newline/CR, lone surrogates, U+FFFE/U+FFFF →
                                           U+FFFD); ElementTree escapes markup
Markdown       :func:`markdown_cell`,      a table cell or code block that stays one cell or
               :func:`markdown_code`       block: no HTML, no links, no emphasis, no fence escape
plot labels    :func:`plot_text`           matplotlib draws it as it is: no mathtext (``$``
                                           escaped), controls and lone surrogates → U+FFFD
=============  ==========================  ===================================================

Numbers and texts the grader writes itself (scores, times, check names from
exercise modules) are not neutralised: the CSV rule, for instance, would turn a
negative score into text. Out of scope: what a viewer does with a page beyond
its markup (the feedback pages' Content-Security-Policy is :mod:`.feedback`'s),
Unicode confusables and homoglyphs, spreadsheet programs that evaluate
cells without a formula prefix, bare URLs in markdown (GitHub links them;
they stay text, not markup), and CI workflow commands (``::warning::``) in
the log of a CI job, which the student's own repository runs and controls.
"""
from __future__ import annotations

import html
import json
import re
from typing import Any

from rich.text import Text

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
# HTML forbids control characters other than ASCII whitespace, lone surrogates and noncharacters
# (https://html.spec.whatwg.org/#preprocessing-the-input-stream).
_HTML_INVALID = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
                           + "".join(f"{chr(plane << 16 | 0xfffe)}{chr(plane << 16 | 0xffff)}"
                                     for plane in range(1, 17)) + "]")
# What a terminal may act on: C0 controls but tab and newline, DEL, C1 controls (0x9b is a one-byte
# CSI on some terminals), and the bidirectional overrides/isolates that reorder what is shown.
_TERMINAL_ACTIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# XML 1.0's Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""OWASP (CSV injection): a spreadsheet reads a cell beginning with one of these as a formula."""
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
"""What markdown acts on inside one line of a table cell (line-start markers cannot occur there)."""


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value)


def html_text(value: object) -> str:
    """``value`` as HTML text that is safe in element content and in quoted attribute values."""
    return html.escape(_HTML_INVALID.sub(REPLACEMENT, _text(value)), quote=True)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(value: object) -> str:
    """``value`` with every control a terminal would act on shown as text (``\\x1b[31m`` stays visible)."""
    return _TERMINAL_ACTIVE.sub(_visible, _SURROGATE.sub(REPLACEMENT, _text(value)))


def rich_text(value: object, style: str = "") -> Text:
    """``value`` as a rich ``Text`` (never parsed as markup), neutralised by :func:`terminal_text`."""
    return Text(terminal_text(value), style=style)


def csv_cell(value: object) -> str:
    """``value`` as a CSV cell a spreadsheet shows as text: a leading ``'`` before a formula prefix."""
    text = _text(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _unpaired(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub(REPLACEMENT, value)
    if isinstance(value, dict):
        return {_unpaired(k): _unpaired(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_unpaired(v) for v in value]
    return value


def json_text(value: Any, **dumps: Any) -> str:
    """``json.dumps(value, ensure_ascii=True, **dumps)`` after replacing lone surrogates: valid for any text."""
    return json.dumps(_unpaired(value), ensure_ascii=True, **dumps)


def xml_text(value: object) -> str:
    """``value`` with every character XML 1.0 cannot hold replaced by U+FFFD (ElementTree escapes the rest)."""
    return _XML_INVALID.sub(REPLACEMENT, _text(value))


_PLOT_INVALID = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def plot_text(value: object) -> str:
    """``value`` as a matplotlib label drawn literally (``$`` would start mathtext; a lone surrogate
    makes the font renderer raise)."""
    return _PLOT_INVALID.sub(REPLACEMENT, _text(value)).replace("$", r"\$")


def markdown_cell(value: object) -> str:
    """``value`` as inline markdown text of one table cell: one line, no HTML, every marker escaped."""
    flat = " ".join(_text(value).splitlines())
    return html_text(_MARKDOWN_SPECIAL.sub(r"\\\1", flat))  # markers first: entities keep their '#'


def markdown_code(value: object, language: str = "text") -> str:
    """``value`` in a fenced code block whose fence is longer than any backtick run inside it."""
    text = terminal_text(value)
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"
