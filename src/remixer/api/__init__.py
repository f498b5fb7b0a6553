"""The HTTP driver (FastAPI): thin routers over `remixer.services`, one error envelope."""
