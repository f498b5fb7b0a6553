"""Durable jobs on DBOS: the only package that imports `dbos`.

`scheduler` (light: imported by the API through `bootstrap`) enqueues by workflow name;
`runtime` holds the worker's state (the one sanctioned global); `worker` launches a worker
and imports the workflows it runs, `remix` and `influencer`, which share `engine`.
"""
