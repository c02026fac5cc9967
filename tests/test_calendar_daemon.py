"""The real daemon with a calendar file that is edited while it runs (watchdog, no polling):
a reminder falls due in a meeting and is held; a broken save is one located log line and
changes nothing; cutting the meeting short in the file brings the reminder at once."""

from datetime import datetime, timedelta, timezone

from daemon import ALL_DAY, Daemon, private_env


def ics(start: datetime, end: datetime) -> str:
    stamp = lambda moment: moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return ("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\nBEGIN:VEVENT\nUID:planning@test\n"
            f"DTSTAMP:{stamp(start)}\nDTSTART:{stamp(start)}\nDTEND:{stamp(end)}\n"
            "SUMMARY:Secret planning\nEND:VEVENT\nEND:VCALENDAR\n")


def test_a_calendar_file_edited_while_the_daemon_runs(tmp_path):
    now = datetime.now(timezone.utc)
    calendar = tmp_path / "calendars" / "work.ics"
    calendar.parent.mkdir()
    calendar.write_text(ics(now - timedelta(hours=1), now + timedelta(hours=3)))
    config = ALL_DAY.format(interval="1s") + f'[presence]\ncalendars = ["{calendar}"]\n'
    daemon = Daemon(tmp_path / "run", private_env(tmp_path), config, args=("run", "--no-tray"))
    try:
        daemon.wait_for_event("held")
        daemon.wait_for_log("busy events of 1 calendar(s) hold reminders")
        assert "shown" not in daemon.kinds()

        calendar.write_text("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:tomorrow\nEND:VEVENT\nEND:VCALENDAR\n")
        daemon.wait_for_log(f"calendar {calendar}: not used, line 3: DTSTART 'tomorrow' is not a date or time")
        assert daemon.proc.poll() is None and "shown" not in daemon.kinds()  # the last good copy holds

        calendar.write_text(ics(now - timedelta(hours=1), now - timedelta(minutes=30)))  # ended already
        daemon.wait_for_event("shown")
        assert daemon.kinds()[:2] == ["held", "shown"]
        assert f"calendar {calendar} is good again" in daemon.log
        assert daemon.log.count("WARNING: calendar") == 1  # the broken save, once
        assert "Secret planning" not in daemon.log and "Traceback" not in daemon.log
    finally:
        daemon.stop()


def test_the_daemon_fetches_a_feed_when_a_reminder_falls_due_and_holds_it(tmp_path):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    now = datetime.now(timezone.utc)
    body = ics(now - timedelta(hours=1), now + timedelta(hours=3)).encode()
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("ETag", '"1"')
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/private-token/basic.ics"
    config = ALL_DAY.format(interval="1s") + f'[presence]\ncalendars = ["{url}"]\n'
    env = private_env(tmp_path)
    daemon = Daemon(tmp_path / "run", env, config, args=("run", "--no-tray"))
    try:
        daemon.wait_for_event("held")  # fetched as the first reminder fell due, and it held it
        assert requests == ["/private-token/basic.ics"] and "shown" not in daemon.kinds()
        assert len(list((tmp_path / ".cache" / "postured" / "calendars").glob("*.ics"))) == 1
        assert "private-token" not in daemon.log
    finally:
        daemon.stop()
        httpd.shutdown()
        httpd.server_close()
