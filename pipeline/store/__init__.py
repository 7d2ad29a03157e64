"""The journal and the files of the share: crash-safe writes, the single-instance lock, owners."""
