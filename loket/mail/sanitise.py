"""HTML of inbound mail, made safe to show to staff, and turned into plain text.

Mail HTML is written by strangers: it may carry scripts, event handlers, forms that phish
for staff passwords, and remote images that tell the sender when (and from where) an agent
opened the mail. What staff see is therefore rebuilt by ``nh3`` (the Rust ``ammonia``
sanitiser, which parses like a browser does) from an allow-list: formatting, tables, and links
to http, https and mailto only. Remote images lose their ``src`` (the URL is kept, inert, in
``data-blocked-src`` so the page may offer to load it on request); ``cid:`` images stay, for
the page to map them to the mail's attachments. Relative URLs are dropped: in a mail they
would point at loket itself (``<img src="/logout">``).

Charter rule 1 (nothing that arrives is lost) does not apply here: the raw message is stored
before parsing, so this module may drop whatever it does not trust. Pure: no Django.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

_TAGS = frozenset(
    {
        "a", "abbr", "address", "b", "big", "blockquote", "br", "caption", "center", "cite",
        "code", "col", "colgroup", "dd", "del", "dfn", "div", "dl", "dt", "em", "font",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
        "ol", "p", "pre", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul", "var",
    }
)  # fmt: skip
# Removed together with everything inside them (their text is code, not content).
_DROP_WITH_CONTENT = frozenset(
    {
        "script", "style", "title", "head", "iframe", "frame", "frameset", "object", "embed",
        "applet", "template", "noscript", "svg", "math", "select", "textarea", "button",
    }
)  # fmt: skip
_CELL = frozenset({"align", "valign", "width", "height", "colspan", "rowspan", "bgcolor"})
_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"dir", "lang", "title", "style"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "table": {"border", "cellpadding", "cellspacing", "width", "align", "bgcolor", "summary"},
    "tr": {"align", "valign", "bgcolor"},
    "td": set(_CELL),
    "th": set(_CELL) | {"scope"},
    "col": {"span", "width", "align"},
    "colgroup": {"span", "width", "align"},
    "ol": {"start", "type"},
    "ul": {"type"},
    "li": {"value"},
    "font": {"color", "face", "size"},
    "p": {"align"},
    "div": {"align"},
}
# CSS properties that cannot load anything (no url(), no positioning over loket's own page).
_STYLE_PROPERTIES = frozenset(
    {
        "color", "background-color", "font-weight", "font-style", "font-size", "font-family",
        "text-align", "text-decoration", "vertical-align", "white-space", "border",
        "border-collapse", "padding", "margin", "width",
    }
)  # fmt: skip
_LINK_SCHEMES = ("http:", "https:", "mailto:")
_IMG_TAG = re.compile(r"<img((?:\s+[^\s=>\"/]+(?:=\"[^\"]*\")?)*)\s*/?>", re.I)
_REMOTE_SRC = re.compile(r"(\s)src=\"(https?:[^\"]*)\"", re.I)


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Per-attribute decisions that nh3's scheme list cannot express on its own."""
    lowered = value.strip().lower()
    if tag == "a" and attribute == "href":
        return value if lowered.startswith(_LINK_SCHEMES) else None
    if tag == "img" and attribute == "src":
        return value if lowered.startswith(("cid:", "http:", "https:")) else None
    return value


def _block_remote_image(match: re.Match[str]) -> str:
    return "<img" + _REMOTE_SRC.sub(r'\1data-blocked-src="\2"', match.group(1)) + ">"


def sanitise_html(html: str) -> str:
    """The mail's HTML reduced to safe formatting, links and ``cid:`` images.

    nh3's output is normalised (every attribute as ``name="value"``), so renaming a remote
    ``src`` afterwards with a pattern is exact; a ``data-blocked-src`` sent by the mail
    itself is never allowed through, so the attribute only ever holds what this did.
    """
    cleaned = nh3.clean(
        html,
        tags=set(_TAGS),
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes=_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes={"http", "https", "mailto", "cid"},
        url_relative="deny",
        link_rel="noopener noreferrer",
        strip_comments=True,
        filter_style_properties=set(_STYLE_PROPERTIES),
    )
    return _IMG_TAG.sub(_block_remote_image, cleaned)


_BLOCKS = frozenset(
    {
        "p", "div", "br", "tr", "table", "ul", "ol", "dl", "dd", "dt", "blockquote", "pre",
        "hr", "h1", "h2", "h3", "h4", "h5", "h6", "address", "center", "caption", "li",
    }
)  # fmt: skip


class _TextExtractor(HTMLParser):
    """Collects the visible text of (already sanitised, hence well-formed) HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._pre = 0
        self._links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.chunks.append("\n")
        if tag == "li":
            self.chunks.append("- ")
        elif tag in ("td", "th"):
            self.chunks.append(" ")
        elif tag == "pre":
            self._pre += 1
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt and alt.strip():
                self.chunks.append(f"[{alt.strip()}]")
        elif tag == "a":
            href = dict(attrs).get("href")
            self._links.append(href if href and href.lower().startswith("http") else None)

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre" and self._pre:
            self._pre -= 1
        if tag == "a" and self._links:
            href = self._links.pop()
            if href and href not in "".join(self.chunks[-5:]):
                self.chunks.append(f" <{href}>")
        if tag in _BLOCKS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        self.chunks.append(data if self._pre else re.sub(r"\s+", " ", data))


def html_to_text(html: str, *, sanitised: bool = False) -> str:
    """Readable plain text for a mail that has only HTML (case text, search, language).

    The HTML first goes through nh3, which returns well-formed markup without scripts,
    styles or comments, so the standard library's parser only ever sees simple input;
    ``sanitised=True`` says ``html`` is already ``sanitise_html``'s output and skips that.
    """
    cleaned = html
    if not sanitised:
        cleaned = nh3.clean(
            html,
            tags=set(_TAGS),
            clean_content_tags=set(_DROP_WITH_CONTENT),
            attributes={"a": {"href"}, "img": {"alt"}},
            url_relative="deny",
            strip_comments=True,
        )
    extractor = _TextExtractor()
    extractor.feed(cleaned)
    extractor.close()
    lines = [line.strip() for line in "".join(extractor.chunks).replace("\xa0", " ").split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
