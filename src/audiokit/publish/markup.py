"""Safe text for feeds and pages: control characters stripped, Markdown rendered and sanitised with nh3."""

from __future__ import annotations

import html as html_mod
import re

import nh3
from markdown_it import MarkdownIt

from ..cleantext import strip_controls as clean_text  # re-exported: feed, site and shownotes use it

ALLOWED_TAGS = set(
    "a abbr b blockquote br cite code del em h1 h2 h3 h4 h5 h6 hr i ins li ol p pre small strong sub sup table tbody"
    " td th thead time tr ul".split()
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "time": {"datetime"}, "th": {"scope"}, "ol": {"start"}}


def safe_url(url: str) -> str:
    """``url`` if it is an http(s) or mailto address, else "" (no javascript:, data: or relative tricks)."""
    url = clean_text(url).strip()
    return url if re.match(r"(https?://|mailto:)", url, re.IGNORECASE) else ""


_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer",
)


def sanitize(html: str) -> str:
    """Keep only harmless markup: no scripts, event handlers, styles, images or javascript: links."""
    return _CLEANER.clean(clean_text(html))


class _AnyLink(MarkdownIt):
    """Markdown that renders every link: nh3 decides which survive, so none leaks as raw text."""

    def validateLink(self, url: str) -> bool:
        return True


_MARKDOWN = _AnyLink("commonmark", {"html": True}).enable("table").enable("strikethrough")


def markdown_html(text: str) -> str:
    """Render Markdown (raw HTML allowed, then sanitised) to a safe HTML fragment."""
    return sanitize(_MARKDOWN.render(clean_text(text))).strip()


def plain_text(html: str) -> str:
    """The text of an HTML fragment, tags removed and whitespace collapsed (entities kept decoded)."""
    return " ".join(html_mod.unescape(nh3.clean(html, tags=set())).split())
