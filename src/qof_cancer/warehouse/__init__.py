"""Running the rules where the data lives: PostgreSQL, one SQL script per dialect, a dbt project."""
