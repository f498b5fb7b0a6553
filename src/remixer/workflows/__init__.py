"""Durable jobs on DBOS: the only package that imports `dbos`.

`scheduler` (light: imported by the API through `bootstrap`) enqueues by workflow name;
`runtime` launches a worker; `remix` and `influencer` define the workflows.
"""
