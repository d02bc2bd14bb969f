"""Configuration: YAML loading with located errors, rig and scenario schemas."""
