"""The `remixer` command line (Typer): serve, worker, demo, remix, sources, admin."""
