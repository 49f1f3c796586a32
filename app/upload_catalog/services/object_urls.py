"""Presigned URLs for the uploads bucket, and deletes, over a boto3 S3 client.

Presigning is local (no request): the URL carries the function role's credentials and is authorised
when used, so the role needs ``s3:PutObject`` on ``uploads/*`` for the POST and ``s3:GetObject`` for
the download, exactly as if the function made those requests itself.
"""

from __future__ import annotations

from typing import Any

from upload_catalog.api_models import PresignedPost


class S3ObjectUrls:
    """Implements ``controllers.api_ports.ObjectUrls``."""

    def __init__(self, s3_client: Any) -> None:
        self._s3 = s3_client

    def presign_post(
        self, bucket: str, key: str, *, content_type: str, size: int, expires_in: int
    ) -> PresignedPost:
        post = self._s3.generate_presigned_post(
            Bucket=bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", size, size]],
            ExpiresIn=expires_in,
        )
        return PresignedPost(url=post["url"], fields={k: str(v) for k, v in post["fields"].items()})

    def presign_get(self, bucket: str, key: str, *, expires_in: int) -> str:
        return str(
            self._s3.generate_presigned_url(
                "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires_in
            )
        )

    def delete(self, bucket: str, key: str) -> None:
        self._s3.delete_object(Bucket=bucket, Key=key)
