"""Benchmarks: a run's practices beside their PCN, ICB and England, from the bundled published figures."""
