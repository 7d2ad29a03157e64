"""The stage kinds, one module each. `pipeline.engine.registry` is the one table of them."""
