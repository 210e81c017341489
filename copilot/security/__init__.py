"""Safety helpers shared across areas (secret redaction)."""
