"""RecordPointer: where one WARC record lives, so readers fetch it back in O(1)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RecordPointer(BaseModel):
    """Points at one WARC record: the file (relative to the archive dir), its byte offset and
    compressed length, and the record's identity. Posts carry one as their ``capture``."""

    model_config = ConfigDict(frozen=True)

    warc_file: str = Field(description="WARC file name, relative to the archive directory")
    offset: int = Field(ge=0, description="byte offset of the (gzip member of the) record")
    length: int = Field(ge=0, description="compressed length of the record in bytes")
    record_id: str = Field(description="WARC-Record-ID, e.g. <urn:uuid:...>")
    target_uri: str = Field(default="", description="WARC-Target-URI")
    payload_digest: str = Field(default="", description="WARC-Payload-Digest, e.g. sha1:...")
    capture_date: str = Field(default="", description="WARC-Date (ISO 8601, UTC)")
