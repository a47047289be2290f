"""Telling podcast apps that the feed changed: a WebSub publish ping (``hub.mode=publish``, ``hub.url=``
the feed) to each hub of ``[publish] notify``. A hub that does not answer is a warning, not a failed
publish: apps still find the new feed at their next visit."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from urllib.parse import urlencode

from ..i18n import _

log = logging.getLogger("audiokit")

TIMEOUT = 10.0


def ping_hubs(hubs: list[str], feed_url: str) -> list[str]:
    """POST the publish ping for ``feed_url`` to every hub; returns the hubs that accepted it (HTTP 2xx)."""
    body = urlencode({"hub.mode": "publish", "hub.url": feed_url}).encode("ascii")
    accepted = []
    for hub in hubs:
        request = urllib.request.Request(
            hub, data=body, headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "audiokit"}
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (urllib.error.URLError, OSError) as exc:
            log.warning(_("the hub %s cannot be reached (%s); apps see the new feed at their next visit"), hub, exc)
            continue
        if 200 <= status < 300:
            accepted.append(hub)
            log.info(_("told %s that %s changed"), hub, feed_url)
        else:
            log.warning(
                _("the hub %s answered HTTP %d to the ping; apps see the new feed at their next visit"), hub, status
            )
    return accepted
