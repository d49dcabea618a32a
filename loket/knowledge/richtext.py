"""The rich text of FAQ articles: what an author may write, how it is made safe, how links
between articles work, and the plain text that search, diffs and mail replies use.

Authors write a little HTML (paragraphs, lists, sub-headings, emphasis, links). ``nh3``
keeps only that, so a pasted script or style can never reach the public site. A link to
another article is written ``<a href="article:slug">``: it is stored without a language and
becomes the FAQ address of that article in the reader's language when shown.
Pure: no database; the caller passes the function that turns a slug into an address.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import nh3

TAGS = frozenset(
    {"p", "br", "h2", "h3", "ul", "ol", "li", "a", "strong", "em", "b", "i", "blockquote",
     "abbr", "code"}
)  # fmt: skip
ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}, "abbr": {"title"}}
SCHEMES = frozenset({"http", "https", "mailto", "article"})
_ARTICLE_LINK = re.compile(r'\s?href="article:([a-z0-9-]+)"')
_BLOCK = re.compile(r"</?(?:p|br|h2|h3|ul|ol|li|blockquote)\b[^>]*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")


def sanitise(source: str) -> str:
    """The author's HTML reduced to the allowed tags: unknown tags lose their markup but keep
    their text, scripts and styles go with their content, links keep only safe schemes
    (relative links stay: they point at loket's own pages, such as the question form)."""
    return nh3.clean(
        source.strip(),
        tags=set(TAGS),
        attributes=ATTRIBUTES,
        url_schemes=set(SCHEMES),
        link_rel=None,
        strip_comments=True,
    ).strip()


def linked_slugs(body: str) -> list[str]:
    """The slugs of the articles a (sanitised) body links to, in order, once each."""
    return list(dict.fromkeys(_ARTICLE_LINK.findall(body)))


def resolve_links(body: str, address: Callable[[str], str | None]) -> str:
    """The body with each ``article:slug`` link turned into the address `address` gives;
    a link to an article that is not (or no longer) published keeps only its text."""

    def replace(match: re.Match[str]) -> str:
        url = address(match.group(1))
        return f' href="{html.escape(url)}"' if url else ""

    return _ARTICLE_LINK.sub(replace, body)


def plain_text(body: str) -> str:
    """The readable text of a body: one line per paragraph or list item, no markup."""
    marked = _BLOCK.sub("\n", body)
    text = html.unescape(nh3.clean(marked, tags=set()))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)
