"""Persistence: SQLAlchemy tables, repositories (all SQL lives here), unit of work, migrations."""
