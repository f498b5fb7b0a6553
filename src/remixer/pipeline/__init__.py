"""The remix as a pure media library: files and plain data in, files and plain data out.

Nothing here knows about HTTP, SQL, DBOS or the project's domain package; errors
carry a stable code (`PipelineError.code`) that callers map onto job failures.
"""
