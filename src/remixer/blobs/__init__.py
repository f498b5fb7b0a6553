"""Blob stores behind one small Protocol: content-addressed keys, local folder or S3."""
