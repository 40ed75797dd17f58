"""Outputs: CSV files, the HTML report, the terminal summary."""
