"""postured: posture-break reminders in the system tray."""

__version__ = "0.1.0"
