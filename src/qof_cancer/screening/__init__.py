"""PCN cancer screening: coverage, non-responders, groups, contacts, action plan."""
