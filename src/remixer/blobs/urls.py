"""`MediaUrls`: the URL signer that prefers the blob store's own pre-signed URLs.

With an S3 store an asset URL is a pre-signed GET URL of the bucket (same expiry as the
API's signed URLs, SPEC §6.9); with a local folder it is the API's `/v1/media` URL.
"""

from __future__ import annotations

from remixer.blobs.signing import UrlSigner
from remixer.blobs.store import BlobStore


class MediaUrls(UrlSigner):
    def __init__(
        self,
        key: bytes,
        public_url: str,
        ttl_s: int,
        blobs: BlobStore,
        key_id: str | None = None,
    ) -> None:
        super().__init__(key, public_url, ttl_s)
        self.blobs = blobs
        self.ttl_s = ttl_s
        self.key_id = key_id

    def for_key(self, key_id: str) -> UrlSigner:
        """This signer, its API URLs bound to `key_id` (a store's pre-signed URL cannot be
        bound to a key: it lives out its expiry, docs/security.md)."""
        return MediaUrls(self._key, self._base, self.ttl_s, self.blobs, key_id)

    def url_for(self, media_id: str, now_s: float | None = None, key_id: str | None = None) -> str:
        return super().url_for(media_id, now_s, key_id if key_id is not None else self.key_id)

    def url_for_blob(self, media_id: str, blob_key: str | None, mime_type: str | None) -> str:
        """The store's pre-signed URL for `blob_key` when it has one, else the API's."""
        if blob_key:
            url = self.blobs.presigned_url(blob_key, self.ttl_s, mime_type)
            if url is not None:
                return url
        return self.url_for(media_id)
