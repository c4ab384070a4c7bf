"""A letter's document: inline, or from a configured document store (files under the document
root, https from allowed hosts), checked against the policy before anything is read."""

from services.ebox_bridge.documents.https_fetch import DocumentUnavailable
from services.ebox_bridge.documents.letter_document import letter_pdf, referenced_pdf
from services.ebox_bridge.documents.policy import (
    MAX_REFERENCED_PDF_BYTES,
    DocumentPolicy,
    LocalDocument,
    RemoteDocument,
)

__all__ = [
    "MAX_REFERENCED_PDF_BYTES",
    "DocumentPolicy",
    "DocumentUnavailable",
    "LocalDocument",
    "RemoteDocument",
    "letter_pdf",
    "referenced_pdf",
]
