"""The functional core: pure decisions, handed the time; no I/O, no threads, no clock."""
