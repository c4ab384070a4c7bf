"""What the print-house endpoints take and answer, as pydantic models (they also make the OpenAPI
document). The confirmation body is the print response file of `loket print confirm`, read by
the same parser: these models document it, the parser decides."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

# The files of a batch in the spool (paper/batch_files.py) and how they are served.
BATCH_FILES = {
    "batch.pdf": "application/pdf",
    "manifest.json": "application/json",
    "manifest.csv": "text/csv; charset=utf-8",
}
ConfirmationState = Literal["awaiting", "partial", "complete"]


class BatchFile(BaseModel):
    name: str
    media_type: str
    url: str


class Progress(BaseModel):
    """How many of the batch's letters are at each paper step (failed: left out of the files)."""

    in_batch: int
    printed: int
    posted: int
    returned: int
    failed: int


class PrintBatchView(BaseModel):
    batch_id: str
    cutoff_at: dt.datetime
    closed_at: dt.datetime
    letter_count: int
    page_count: int
    files_written: bool
    files_written_at: dt.datetime | None
    manifest_sha256: str | None = Field(description="SHA-256 (hex) of manifest.json once written.")
    files_purged_at: dt.datetime | None = Field(
        default=None, description="When the files were removed from the spool after the retention period "
                                  "(every letter settled on paper); they then answer 410.")
    files: list[BatchFile] = Field(description="Empty until the files are written, and after they were removed.")
    confirmation_state: ConfirmationState = Field(
        description="awaiting: nothing confirmed yet; partial: some letters still in the batch or only "
                    "printed; complete: every printable letter posted or returned.")
    progress: Progress


class PrintBatchList(BaseModel):
    batches: list[PrintBatchView]


class BatchListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(default=50, ge=1, le=200)


class ConfirmationEntry(BaseModel):
    letter_id: UUID
    status: Literal["printed", "posted", "returned"]
    at: dt.datetime | None = Field(default=None, description="When it happened, with its offset (posted).")
    reason: str | None = Field(default=None, description="Required for returned: as reported by bpost.")
    batch_id: str | None = Field(default=None, description="If given, this batch's id.")


class ConfirmationFile(BaseModel):
    """The print house's answer for this batch (a bare list of entries is accepted too). As
    text/csv: a header with letter_id,status and optionally at,reason,batch_id."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"letters": [
        {"letter_id": "0b6f3c1e-5a4e-4d7e-9a8e-2f4a1c9d7e10", "status": "posted", "at": "2026-11-24T08:00:00+01:00"},
        {"letter_id": "5d1e2f3a-4b5c-4d6e-8f70-81a2b3c4d5e6", "status": "returned", "reason": "addressee unknown"},
    ]}]})
    batch_id: str | None = None
    letters: list[ConfirmationEntry] = Field(min_length=1)


class ConfirmationResult(BaseModel):
    batch_id: str
    recorded: dict[str, int] = Field(description="Letters newly recorded per status (printed, posted, returned).")
    already_known: int = Field(description="Entries already recorded before (a re-sent file): nothing done.")
