"""Run records: append-only JSON Lines (record.jsonl), one event per line."""
