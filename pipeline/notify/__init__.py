"""Telling people: mail, distribution of signed records, reminders."""
