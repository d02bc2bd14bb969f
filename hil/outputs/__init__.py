"""Outputs rendered from a run folder's record.jsonl alone (so `itpump report RUN_DIR` re-renders)."""
