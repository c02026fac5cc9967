"""Calendar feeds over HTTP against a real http.server on 127.0.0.1: ETag and 304, the last
good copy kept on disk through a 500, a broken body and a refused connection, one warning
for each new problem, and at most one fetch every 15 minutes."""

import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
from conftest import at, settings

from postured.adapters.ics_feed import FeedCache, FetchError
from postured.busy_calendars import Calendars

BERLIN = ZoneInfo("Europe/Berlin")
FEED = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:standup@test
DTSTAMP:20260301T000000Z
DTSTART;TZID=Europe/Berlin:20260326T093000
DTEND;TZID=Europe/Berlin:20260326T094500
SUMMARY:Stand-up
END:VEVENT
END:VCALENDAR
"""


class Feed:
    """What the server answers next: 200 with an ETag, 304 when it matches, or an error."""

    def __init__(self):
        self.body = FEED
        self.etag = '"v1"'
        self.status = 200
        self.requests: list[dict] = []


@pytest.fixture
def server():
    feed = Feed()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            feed.requests.append(dict(self.headers))
            if feed.status != 200:
                self.send_error(feed.status)
                return
            if self.headers.get("If-None-Match") == feed.etag:
                self.send_response(304)
                self.send_header("ETag", feed.etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("ETag", feed.etag)
            self.send_header("Last-Modified", "Wed, 25 Mar 2026 08:00:00 GMT")
            self.send_header("Content-Length", str(len(feed.body)))
            self.end_headers()
            self.wfile.write(feed.body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    feed.url = f"http://127.0.0.1:{httpd.server_address[1]}/team.ics"
    yield feed
    httpd.shutdown()
    httpd.server_close()


def accept(body):
    from postured.adapters.ics import parse

    return parse(body)


def test_200_then_304_then_errors_keep_the_last_good_copy(server, tmp_path):
    cache = FeedCache(tmp_path)
    now = at("2026-03-26 09:00")
    first = cache.fetch(server.url, now, accept)
    assert first.body == FEED and first.etag == '"v1"'
    later = now + timedelta(minutes=20)
    second = cache.fetch(server.url, later, accept)
    assert server.requests[-1]["If-None-Match"] == '"v1"'
    assert server.requests[-1]["If-Modified-Since"] == "Wed, 25 Mar 2026 08:00:00 GMT"
    assert second.body == FEED and second.fetched_at == later  # 304: the copy renewed
    server.status = 500
    with pytest.raises(FetchError, match="500"):
        cache.fetch(server.url, later + timedelta(minutes=20), accept)
    server.status, server.body, server.etag = 200, b"<html>login</html>", '"v2"'
    with pytest.raises(FetchError, match="no usable calendar"):
        cache.fetch(server.url, later + timedelta(minutes=40), accept)
    kept = FeedCache(tmp_path).cached(server.url)  # as a new run finds it on disk
    assert kept.body == FEED and kept.fetched_at == later and kept.etag == '"v1"'


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_feed_offline_is_one_warning_and_its_copy_still_holds(server, tmp_path, caplog):
    config = settings(f'[presence]\ncalendars = ["{server.url}"]\n')
    calendars = Calendars(tmp_path, BERLIN)
    calendars.configure(config.presence)
    now = at("2026-03-26 09:00")
    assert calendars.refresh(now) and len(server.requests) == 1
    assert [b.title for b in calendars.blocks(now)] == ["Stand-up"]

    # Fresh for 15 minutes: no request at all.
    calendars.refresh(now + timedelta(minutes=14))
    assert len(server.requests) == 1
    server.status = 500
    calendars.refresh(now + timedelta(minutes=15))
    calendars.refresh(now + timedelta(minutes=20))  # a failed try also waits 15 min
    calendars.refresh(now + timedelta(minutes=30))
    assert len(server.requests) == 3
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == ["calendar [presence] calendars[0] (127.0.0.1): the server answered 500 "
                        "Internal Server Error; using the copy of 2026-03-26 09:00"]  # once, not twice
    assert "team.ics" not in caplog.text  # the URL (it may hold a token) stays out of the log

    # A new run (the server still broken) starts from the copy on disk, asking nothing.
    calendars = Calendars(tmp_path, BERLIN)
    calendars.configure(config.presence)
    assert [b.title for b in calendars.blocks(now)] == ["Stand-up"] and len(server.requests) == 3


def test_connection_refused_keeps_the_copy_with_one_warning(server, tmp_path, caplog):
    cache = FeedCache(tmp_path)
    refused = f"http://127.0.0.1:{closed_port()}/team.ics"
    now = at("2026-03-26 09:00")
    with pytest.raises(FetchError, match="cannot fetch it"):
        cache.fetch(refused, now, accept)
    calendars = Calendars(tmp_path, BERLIN)
    calendars.configure(settings(f'[presence]\ncalendars = ["{refused}"]\n').presence)
    for minutes in (0, 15, 30):
        calendars.refresh(now + timedelta(minutes=minutes))
    assert calendars.blocks(now) == ()
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "no copy to use yet" in warnings[0] and "Connection refused" in warnings[0]
    assert calendars.problems() == [warnings[0]]
