"""The paper channel: print-ready PDFs, daily cut-offs, batch files, print-house responses."""

from services.ebox_bridge.paper.batch_files import BatchFiles, BatchLetter, write_batch
from services.ebox_bridge.paper.cutoff import batch_id_for, cutoff_on, latest_cutoff, next_cutoff
from services.ebox_bridge.paper.print_pdf import (
    UnreadablePdf,
    compose_print_pdf,
    count_pages,
    known_printable_page_count,
    printable_page_count,
)
from services.ebox_bridge.paper.print_response import (
    PrintConfirmation,
    PrintResponseError,
    parse_print_response,
)

__all__ = [
    "BatchFiles",
    "BatchLetter",
    "PrintConfirmation",
    "PrintResponseError",
    "UnreadablePdf",
    "batch_id_for",
    "compose_print_pdf",
    "count_pages",
    "known_printable_page_count",
    "cutoff_on",
    "latest_cutoff",
    "next_cutoff",
    "parse_print_response",
    "printable_page_count",
    "write_batch",
]
