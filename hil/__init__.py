"""The harness: the composition root that builds rigs from config and runs scenarios."""
