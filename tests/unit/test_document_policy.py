"""Finding 1 of issue 15: a `document_ref` is read only from a configured store. The policy is
checked before any byte is read; the file store re-checks the real path (symlinks, `..`), reads
regular files only and caps the size while reading; https is streamed with a cap and timeouts."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from loket.contracts.letters import LetterIssuedPayload
from services.ebox_bridge.documents import (
    DocumentPolicy,
    DocumentUnavailable,
    LocalDocument,
    RemoteDocument,
    letter_pdf,
)
from services.ebox_bridge.documents.file_store import read_local
from services.ebox_bridge.documents.https_fetch import fetch_remote
from services.ebox_bridge.domain.intake import IntakeRejected
from services.ebox_bridge.settings import EboxBridgeSettings
from tests.support.letters import letter_issued, national_number
from tests.support.letters import letter_pdf as sample_pdf

pytestmark = pytest.mark.timeout(60)  # a read that never ends (/dev/zero, a FIFO) must fail, not hang


def payload(ref: str, **extra: Any) -> LetterIssuedPayload:
    return letter_issued(national_number(5), pdf_base64=None, document_ref=ref, **extra).payload


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    return tmp_path / "docs"


# --- the policy: pure, before any read ------------------------------------------------------


def test_without_a_document_root_every_file_reference_is_refused(tmp_path: Path) -> None:
    (tmp_path / "letter.pdf").write_bytes(sample_pdf())
    with pytest.raises(IntakeRejected, match="LOKET_DOCUMENT_ROOT is not set"):
        DocumentPolicy().locate((tmp_path / "letter.pdf").as_uri())
    # The default of the settings is exactly that: no store.
    assert DocumentPolicy.from_settings(EboxBridgeSettings()).root is None


@pytest.mark.parametrize(
    ("ref", "fragment"),
    [
        ("file:///dev/zero", "outside the bridge's document root"),
        ("file:///etc/passwd", "outside the bridge's document root"),
        ("file://{root}/../secret.pdf", "outside the bridge's document root"),
        ("file://{root}/a/%2E%2E/%2E%2E/secret.pdf", "outside the bridge's document root"),
        ("file://{root}", "outside the bridge's document root"),
        ("file://evil.example/{root}/a.pdf", "without host"),
        ("file://{root}/a.pdf?x=1", "without host, query or fragment"),
        ("http://docs.example.be/a.pdf", "scheme 'http' is not accepted"),
        ("s3://bucket/a.pdf", "scheme 's3' is not accepted"),
        ("https://other.example/a.pdf", "not one of the bridge's document hosts"),
        ("https://docs.example.be.evil.example/a.pdf", "not one of the bridge's document hosts"),
        ("https://user:pw@docs.example.be/a.pdf", "must not carry credentials"),
    ],
)
def test_references_outside_the_configured_stores_are_refused(root: Path, ref: str, fragment: str) -> None:
    policy = DocumentPolicy(root=root, hosts=frozenset({"docs.example.be"}))
    with pytest.raises(IntakeRejected, match=fragment):
        policy.locate(ref.format(root=root))


def test_references_inside_the_stores_are_located(root: Path) -> None:
    policy = DocumentPolicy(root=root, hosts=frozenset({"docs.example.be"}))
    assert policy.locate((root / "a" / "b.pdf").as_uri()) == LocalDocument(root / "a" / "b.pdf", root)
    assert policy.locate("https://DOCS.example.be/l/1.pdf") == RemoteDocument("https://DOCS.example.be/l/1.pdf")


# --- the file store: real path, regular files, size -------------------------------------------


def test_a_symlink_inside_the_root_to_a_file_outside_is_refused(root: Path, tmp_path: Path) -> None:
    (tmp_path / "other-town.pdf").write_bytes(sample_pdf())
    (root / "innocent.pdf").symlink_to(tmp_path / "other-town.pdf")
    (root / "zero.pdf").symlink_to("/dev/zero")
    for name in ("innocent.pdf", "zero.pdf"):
        with pytest.raises(IntakeRejected, match="outside the bridge's document root"):
            read_local(LocalDocument(root / name, root), 10_000_000)


def test_devices_fifos_and_directories_are_not_read(tmp_path: Path) -> None:
    # A root holding /dev: /dev/zero passes the "inside the root" check and must still be refused
    # before a single read (it never ends).
    with pytest.raises(IntakeRejected, match="not point to a regular file"):
        read_local(LocalDocument(Path("/dev/zero"), Path("/dev")), 10_000_000)
    docs = tmp_path / "docs"
    (docs / "folder.pdf").mkdir(parents=True)
    os.mkfifo(docs / "pipe.pdf")  # opening a FIFO for reading would wait for a writer forever
    for name in ("folder.pdf", "pipe.pdf"):
        with pytest.raises(IntakeRejected, match="regular file"):
            read_local(LocalDocument(docs / name, docs), 10_000_000)


def test_the_size_is_checked_before_reading(root: Path) -> None:
    (root / "big.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 2000)
    with pytest.raises(IntakeRejected, match="more than the limit of 1000"):
        read_local(LocalDocument(root / "big.pdf", root), 1000)


def test_the_print_spool_is_never_served_even_under_the_root(tmp_path: Path) -> None:
    # An operator who points the root at the whole data directory still cannot leak a batch.
    spool = tmp_path / "print-spool" / "PB-20260329-1730"
    spool.mkdir(parents=True)
    (spool / "batch.pdf").write_bytes(sample_pdf())
    settings = EboxBridgeSettings(document_root=tmp_path, print_spool_dir=tmp_path / "print-spool")
    policy = DocumentPolicy.from_settings(settings)
    with pytest.raises(IntakeRejected, match="print spool"):
        read_local(policy.locate((spool / "batch.pdf").as_uri()), policy.max_bytes)  # type: ignore[arg-type]


async def test_a_letter_from_the_document_root_is_read_and_its_digest_checked(root: Path) -> None:
    pdf = sample_pdf(3)
    (root / "municipality-12025").mkdir()
    (root / "municipality-12025" / "letter.pdf").write_bytes(pdf)
    ref = (root / "municipality-12025" / "letter.pdf").as_uri()
    policy = DocumentPolicy(root=root)
    assert await letter_pdf(payload(ref, sha256=hashlib.sha256(pdf).hexdigest()), policy) == (pdf, 3)
    with pytest.raises(IntakeRejected, match="sha256 does not match"):
        await letter_pdf(payload(ref, sha256=hashlib.sha256(b"x").hexdigest()), policy)


async def test_dev_zero_is_refused_at_once_with_or_without_a_root(root: Path) -> None:
    for policy in (DocumentPolicy(), DocumentPolicy(root=root)):
        with pytest.raises(IntakeRejected):
            await letter_pdf(payload("file:///dev/zero"), policy)


async def test_reading_happens_off_the_event_loop(root: Path) -> None:
    """While a large document within the limit is read, the loop keeps running other tasks, and
    the whole document arrives."""
    from services.ebox_bridge.documents.letter_document import referenced_pdf

    content = sample_pdf() + b"\n%" + b"0" * (40 * 1024 * 1024)
    (root / "big.pdf").write_bytes(content)
    policy = DocumentPolicy(root=root, max_bytes=len(content) + 1)
    ticks = 0
    reading = asyncio.create_task(referenced_pdf((root / "big.pdf").as_uri(), hashlib.sha256(content).hexdigest(),
                                                 policy))
    while not reading.done():
        ticks += 1
        await asyncio.sleep(0)
    assert reading.result() == content
    assert ticks > 1  # a read on the loop itself would have let no other task run until it ended


async def test_inline_letters_need_no_store() -> None:
    pdf = sample_pdf(2)
    inline = letter_issued(national_number(5), pdf_base64=base64.b64encode(pdf).decode()).payload
    assert await letter_pdf(inline, DocumentPolicy()) == (pdf, 2)


# --- https: streamed, capped, with timeouts, no redirects ---------------------------------------


@pytest.fixture
async def document_host() -> Any:
    """A plain-HTTP stand-in for a document host (the scheme check belongs to the policy)."""

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()  # chunked: no Content-Length announces the size
        await response.prepare(request)
        await response.write(b"%PDF-1.4\n")
        while True:
            await response.write(b"0" * 65536)

    async def announced(_: web.Request) -> web.Response:
        return web.Response(body=b"%PDF-1.4\n" + b"0" * 5000)

    release = asyncio.Event()  # set at teardown, so the server can shut down at once

    async def hang(_: web.Request) -> web.Response:
        await release.wait()
        return web.Response()

    async def redirect(_: web.Request) -> web.Response:
        raise web.HTTPFound("http://169.254.169.254/latest/meta-data")

    async def ok(_: web.Request) -> web.Response:
        return web.Response(body=sample_pdf(), content_type="application/pdf")

    app = web.Application()
    app.add_routes([web.get("/endless", endless), web.get("/announced", announced), web.get("/hang", hang),
                    web.get("/redirect", redirect), web.get("/ok", ok)])
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    release.set()
    await runner.cleanup()


async def test_https_fetch_is_capped_while_streaming_and_times_out(document_host: str) -> None:
    with pytest.raises(IntakeRejected, match="more than the limit of 1000000 bytes"):
        await fetch_remote(f"{document_host}/endless", 1_000_000, 30)
    with pytest.raises(IntakeRejected, match="5009 bytes, more than the limit of 1000"):
        await fetch_remote(f"{document_host}/announced", 1000, 30)
    with pytest.raises(DocumentUnavailable, match="unreachable"):
        await fetch_remote(f"{document_host}/hang", 1000, 0.5)
    with pytest.raises(IntakeRejected, match="redirects are not followed"):
        await fetch_remote(f"{document_host}/redirect", 1000, 30)
    assert await fetch_remote(f"{document_host}/ok", 1_000_000, 30) == sample_pdf()


# --- finding 2: intake parses the PDF in full -------------------------------------------------


async def test_a_pdf_whose_page_count_is_only_claimed_is_refused_at_intake() -> None:
    """`/Type /Pages /Count 3` with no page tree passed the fast page count, then broke the
    print batch at the cut-off; intake now does what composing does and refuses it."""
    from services.ebox_bridge.paper import count_pages

    fake = b"%PDF-1.4\n1 0 obj << /Type /Pages /Count 3 /Kids [] >> endobj\nstartxref\n0\n%%EOF"
    assert count_pages(fake) == 3  # what the old intake relied on
    inline = letter_issued(national_number(5), pdf_base64=base64.b64encode(fake).decode()).payload
    with pytest.raises(IntakeRejected, match="not a readable PDF"):
        await letter_pdf(inline, DocumentPolicy())
