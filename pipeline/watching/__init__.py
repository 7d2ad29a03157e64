"""Watching the inboxes and running each drop through the engine, crash-safely."""
