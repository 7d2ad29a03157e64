"""The sub-commands of `pipeline`, each module imported only when its command runs."""
