"""The bounded JSON decoder for untrusted bytes (bodies, idempotency hashes, cursors).

`loads_bounded` is the one JSON decoder for untrusted bodies: whatever the bytes, it
returns a document or raises `ValueError` (never `RecursionError`, never a document a
database or an encoder would choke on later). Documents nest at most `MAX_DEPTH` deep,
and strings hold no NUL and no lone surrogate (PostgreSQL refuses both; UTF-8 cannot
encode the second).
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 32


class BodyError(ValueError):
    """The bytes are not an acceptable JSON document; `reason` says why, for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _bad_string(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_document(doc: Any, max_depth: int = MAX_DEPTH) -> None:
    """Walk `doc` without recursion; raise `BodyError` if too deep or holding a bad string."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            if _bad_string(node):
                raise BodyError("strings may not contain NUL or unpaired surrogates")
            continue
        if not isinstance(node, dict | list):
            continue
        if depth > max_depth:
            raise BodyError(f"nested deeper than {max_depth} levels")
        if isinstance(node, dict):
            for key, value in node.items():
                if _bad_string(key):
                    raise BodyError("strings may not contain NUL or unpaired surrogates")
                stack.append((value, depth + 1))
        else:
            stack.extend((value, depth + 1) for value in node)


def loads_bounded(raw: bytes, max_depth: int = MAX_DEPTH) -> Any:
    """Decode untrusted JSON bytes; every failure is a `BodyError` (a `ValueError`)."""
    try:
        doc = json.loads(raw)
    except RecursionError as exc:
        raise BodyError(f"nested deeper than {max_depth} levels") from exc
    except UnicodeDecodeError as exc:
        raise BodyError("the body is not UTF-8") from exc
    except ValueError as exc:  # JSONDecodeError, and integers over Python's digit limit
        raise BodyError("invalid JSON") from exc
    check_document(doc, max_depth)
    return doc
