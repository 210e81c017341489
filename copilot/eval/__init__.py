"""Execution-accuracy evaluation: bounded replays of recorded data, changelog-aware result
comparison, the `eval` command and the preview shown before a job is saved."""
