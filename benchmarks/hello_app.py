"""The reference endpoint for the API benchmark: FastAPI hello-world, served like the API."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import Response

app = FastAPI()


@app.post("/hello")
def hello() -> Response:
    return Response(b'{"hello":"world"}', media_type="application/json")
