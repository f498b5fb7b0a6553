"""One router per resource family; each handler parses, calls one service, renders."""
