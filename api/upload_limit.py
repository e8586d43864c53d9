"""A cap on file-upload request bodies, enforced while they stream in (pure ASGI).

A declared Content-Length over the cap is refused before a byte is read; a chunked body is
counted as it arrives and cut off with 413 once past it. So neither the multipart parser's
spool nor the scratch copy can be made to grow without bound. The exact per-file limit is
checked again while the file is copied (domain.files.attachments.spool).
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem
from domain.files.attachments import FileTooLarge

UPLOAD_PATH = re.compile(r"^/api/v1/(contacts|accounts|deals|activities)/[^/]+/files/?$")
# Room for the multipart boundaries, part headers and a few small fields around the file.
FRAMING_BYTES = 64 * 1024


class UploadLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_file_bytes: int) -> None:
        self.app = app
        self.max_body = max_file_bytes + FRAMING_BYTES
        self.max_file_bytes = max_file_bytes

    def _too_large(self) -> FileTooLarge:
        return FileTooLarge(f"A file may be at most {self.max_file_bytes // 2**20} MiB")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not UPLOAD_PATH.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers") or []:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_body:
                    await problem(413, str(self._too_large()))(scope, receive, send)
                    return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise self._too_large()
            return message

        await self.app(scope, counted, send)
