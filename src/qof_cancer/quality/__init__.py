"""Data quality: the coding that costs achievement, and how to fix it."""
