"""Pure values and decisions: nothing here reads the disk, the clock, a subprocess or the network."""
