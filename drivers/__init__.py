"""Host-side device drivers: transports and one driver per device. Knows nothing of therapy."""
