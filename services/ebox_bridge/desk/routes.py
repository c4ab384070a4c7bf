"""`/desk/…`: the letter desk for signed-in people (session cookie; CSRF on every form).

- `/desk/letters`: find a letter by id or sender reference (GET), or by the recipient's national
  register number typed in full (POST only: the number never travels in an address, is never
  logged, never shown back, and the search is on the audit trail);
- `/desk/letters/{id}`: the letter's status, channels and timeline;
- `/desk/batches[/{id}]`: print batches, their confirmation state, returned letters and files;
- `/desk/refused`: the letters dead-lettered by intake (`letters.issued.v1.dlq`), with the
  reason, and a replay (POST, audited) once the cause is fixed;
- `/desk/webhooks`: the municipality's webhook endpoints, their latest deliveries and failures.

Reading goes through the letters API's own use cases and repositories (`api/letter_reading.py`,
`api/print_house_batches.py`, `repository/`, `webhooks/repository.py`) and the DLQ store of
`loket dlq` (`loket.infra.bus.dlq_store`), so the desk shows what the API and the CLI show.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from loket.contracts.national_number import (
    is_valid_national_number,
    mask_national_numbers,
    normalise_national_number,
)
from loket.contracts.reference.letter_words import department_words, document_type_words
from loket.contracts.topics import LETTERS_ISSUED
from loket.infra.bus.dlq_store import (
    DeadLetter,
    DeadLetterNotFound,
    MalformedDeadLetterId,
    open_dlq_store,
)
from loket.infra.counted_words import count_words
from loket.infra.http.client_address import client_label
from loket.infra.http.signin.forms import read_form
from loket.infra.identity import audit
from loket.infra.identity.audit import Access
from loket.infra.identity.principal import Principal
from loket.infra.number_words import integer_words
from services.ebox_bridge.api.letter_reading import LetterReading
from services.ebox_bridge.api.models import LetterView
from services.ebox_bridge.api.print_house_batches import PrintBatchReading
from services.ebox_bridge.api.print_house_models import PrintBatchView
from services.ebox_bridge.api.problems import ApiProblem
from services.ebox_bridge.desk import access
from services.ebox_bridge.desk.guards import SERVICE, desk_refusal, form_refusal
from services.ebox_bridge.desk.rendering import (
    DESK,
    cutoff_text,
    language,
    message,
    municipality_text,
    render,
    when,
    with_lang,
)
from services.ebox_bridge.desk.texts import (
    CHANNELS,
    CONFIRMATION,
    DELIVERY_STATES,
    DLQ_KINDS,
    EVENT_TYPES,
    REFUSED_LETTERS,
    ROUTINGS,
    STATES,
    STATUS,
    label,
    reason_text,
    texts_for,
)
from services.ebox_bridge.repository import letters as letters_repo
from services.ebox_bridge.webhooks import repository as webhooks_repo
from services.ebox_bridge.webhooks.retry import RetryPolicy

log = logging.getLogger(__name__)
LETTERS = f"{DESK}/letters"
BY_RECIPIENT = f"{LETTERS}/by-recipient"
BATCHES = f"{DESK}/batches"
REFUSED = f"{DESK}/refused"
WEBHOOKS = f"{DESK}/webhooks"
# Files a clerk may take from a batch's spool; the merged PDF is the print house's.
DESK_FILES = {"manifest.csv": "manifest_csv", "manifest.json": "manifest_json", "batch.pdf": "batch_pdf"}
SHOWN = 50  # letters, batches and refused letters on one page
DLQ_READ = 5000  # dead letters read to list them (a DLQ that long needs the operator's CLI anyway)
SEARCH_BY_RECIPIENT = "find letters by a recipient's national number"
REPLAY_REFUSED = "send a refused letter in again (letters.issued.v1 dead letter)"
DOWNLOAD_BATCH_FILE = "download a print batch's file (names and addresses)"
REPLAY_DELIVERY = "deliver a webhook notification again"


@dataclass(frozen=True)
class Refused:
    """A dead letter of `letters.issued.v1` as the desk shows it (nothing of its body but ids)."""

    id: str
    letter_id: str | None
    municipality: str | None
    kind: str
    reason: str
    attempts: int
    at: str


class LetterDesk:
    def __init__(self, schema: str, pool: Callable[[], asyncpg.Pool], reading: LetterReading,
                 batches: PrintBatchReading, bus_url: str | None, retry: RetryPolicy,
                 clock: Callable[[], dt.datetime]) -> None:
        self.schema, self.pool, self.reading, self.batches, self.bus_url = schema, pool, reading, batches, bus_url
        self.retry, self.clock = retry, clock

    def routes(self) -> list[Route]:
        return [
            Route(DESK, self.front_door, methods=["GET"]),
            Route(DESK + "/", self.front_door, methods=["GET"]),
            Route(LETTERS, self.find, methods=["GET"]),
            Route(BY_RECIPIENT, self.find_by_recipient, methods=["POST"]),
            Route(LETTERS + "/{letter_id}", self.letter, methods=["GET"]),
            Route(BATCHES, self.batch_list, methods=["GET"]),
            Route(BATCHES + "/{batch_id}", self.batch, methods=["GET"]),
            Route(BATCHES + "/{batch_id}/files/{name}", self.batch_file, methods=["GET"]),
            Route(REFUSED, self.refused, methods=["GET"]),
            Route(REFUSED + "/replay", self.replay, methods=["POST"]),
            Route(WEBHOOKS, self.webhooks, methods=["GET"]),
            Route(WEBHOOKS + "/{webhook_id}/deliveries/{delivery_id}/replay", self.replay_delivery, methods=["POST"]),
        ]

    # --- finding letters

    async def front_door(self, request: Request) -> Response:
        return RedirectResponse(with_lang(LETTERS, request), 303)

    async def find(self, request: Request) -> Response:
        if (refusal := desk_refusal(request)) is not None:
            return refusal
        principal: Principal = request.state.principal
        t = texts_for(language(request))
        query = request.query_params.get("q", "").strip()[:200]
        if "q" not in request.query_params:
            return self._find_page(request)
        if not query:
            return self._find_page(request, errors=[("q", t["empty_query"])], status=400)
        letter_id = _uuid(query)
        if letter_id is not None:
            try:
                await self.reading.one(principal, letter_id)
            except ApiProblem:
                pass  # unknown, or another municipality's: perhaps a reference that looks like an id
            else:
                return RedirectResponse(with_lang(f"{LETTERS}/{letter_id}", request), 303)
        found = await self.reading.with_reference(principal, query, SHOWN)
        return self._find_page(request, query=query, found=found, heading=t["results_for_ref"].format(r=query))

    async def find_by_recipient(self, request: Request) -> Response:
        form = await read_form(request)
        if (refusal := form_refusal(request, form)) is not None:
            return refusal
        principal: Principal = request.state.principal
        t = texts_for(language(request))
        typed = form.get("recipient", "")
        try:
            ssin = normalise_national_number(typed)
        except (ValueError, TypeError):
            ssin = ""
        if not ssin or not is_valid_national_number(ssin):
            # Never echoed back: the field comes back empty, the message names the rule only.
            return self._find_page(request, errors=[("recipient", t["bad_number"])], status=400, here=LETTERS)
        found = await self.reading.of_recipient(principal, ssin, SHOWN)
        async with self.pool().acquire() as conn:
            ids = ",".join(str(v.letter_id) for v in found)[:2000] or "none found"
            await audit.record(conn, principal, Access(SEARCH_BY_RECIPIENT, "letter", ids), client_label(request), SERVICE)
        return self._find_page(request, found=found, heading=t["results_for_recipient"], here=LETTERS)

    def _find_page(self, request: Request, *, query: str = "", found: list[LetterView] | None = None,
                   heading: str = "", errors: list[tuple[str, str]] | None = None, status: int = 200,
                   here: str | None = None) -> Response:
        lang = language(request)
        rows = None if found is None else [_letter_row(v, lang, request) for v in found]
        return render(request, "find.html.j2", status, section="find", here=here, query=query, rows=rows,
                      heading=heading, errors=errors or [], field_errors=dict(errors or []))

    async def letter(self, request: Request) -> Response:
        if (refusal := desk_refusal(request)) is not None:
            return refusal
        principal: Principal = request.state.principal
        lang = language(request)
        t = texts_for(lang)
        letter_id = _uuid(request.path_params["letter_id"])
        if letter_id is None:
            return message(request, 404, t["unknown_letter"])
        try:
            view = await self.reading.one(principal, letter_id)
        except ApiProblem:
            return message(request, 404, t["unknown_letter"])
        ebox, paper = view.channels.ebox, view.channels.paper
        return render(
            request, "letter.html.j2", section="find", title=t["letter_title"].format(i=str(view.letter_id)[:8]),
            letter=_letter_row(view, lang, request), letter_id=str(view.letter_id),
            routing=label(ROUTINGS, view.routing, lang) if view.routing else "–",
            department=department_words(view.department, lang) if view.department else "–",
            document_type=document_type_words(view.document_type, lang) if view.document_type else "–",
            ebox=ebox and {"state": label(STATES, ebox.state, lang), "delivered": when(ebox.delivered_at, lang),
                           "read": when(ebox.read_at, lang),
                           "error": mask_national_numbers(ebox.last_error) if ebox.last_error else ""},
            paper=paper and {"state": label(STATES, paper.state, lang), "reason": reason_text(paper.reason, lang),
                             "batch": paper.print_batch,
                             "batch_link": with_lang(f"{BATCHES}/{paper.print_batch}", request)
                             if paper.print_batch else None},
            timeline=[{"at": when(h.at, lang), "channel": label(CHANNELS, h.channel, lang),
                       "step": label(STATES, h.to_state, lang),
                       "from": label(STATES, h.from_state, lang) if h.from_state else "",
                       "why": mask_national_numbers(_why(h.to_state, h.reason, lang))}
                      for h in view.history],
            accepted_only=view.status == "accepted")

    # --- print batches

    async def batch_list(self, request: Request) -> Response:
        if (refusal := desk_refusal(request)) is not None:
            return refusal
        principal: Principal = request.state.principal
        lang = language(request)
        views = await self.batches.batches(principal, SHOWN, "")
        return render(request, "batches.html.j2", section="batches", operator=principal.municipality is None,
                      batches=[_batch_row(b, lang, request) for b in views])

    async def batch(self, request: Request) -> Response:
        if (refusal := desk_refusal(request)) is not None:
            return refusal
        principal: Principal = request.state.principal
        lang = language(request)
        t = texts_for(lang)
        batch_id = request.path_params["batch_id"][:64]
        try:
            view = await self.batches.batch(principal, batch_id, "")
        except ApiProblem:
            return message(request, 404, t["unknown_batch"].format(b=batch_id))
        async with self.pool().acquire() as conn:
            returned = await letters_repo.returned_of_batch(conn, self.schema, view.batch_id, principal.municipality)
        files = [{"name": name, "label": t[key], "href": with_lang(f"{BATCHES}/{view.batch_id}/files/{name}", request)}
                 for name, key in DESK_FILES.items()] if view.files else []
        return render(request, "batch.html.j2", section="batches", title=t["batch_title"].format(b=view.batch_id),
                      batch=_batch_row(view, lang, request), files=files,
                      returned=[{"letter_id": str(r["letter_id"]), "short": str(r["letter_id"])[:8],
                                 "href": with_lang(f"{LETTERS}/{r['letter_id']}", request),
                                 "at": when(r["returned_at"], lang), "why": mask_national_numbers(r["reason"] or ""),
                                 "municipality": municipality_text(r["municipality"])}
                                for r in returned])

    async def batch_file(self, request: Request) -> Response:
        if (refusal := desk_refusal(request)) is not None:
            return refusal
        principal: Principal = request.state.principal
        t = texts_for(language(request))
        batch_id, name = request.path_params["batch_id"][:64], request.path_params["name"]
        if name not in DESK_FILES:
            return message(request, 404, t["unknown_batch"].format(b=batch_id))
        try:
            spooled = await self.batches.file(principal, batch_id, name)
        except ApiProblem as problem:
            text = {409: t["files_pending"], 410: t["files_purged"]}.get(problem.status,
                                                                         t["unknown_batch"].format(b=batch_id))
            return message(request, problem.status, text)
        async with self.pool().acquire() as conn:
            await audit.record(conn, principal, Access(DOWNLOAD_BATCH_FILE, "print batch", f"{batch_id}/{name}"),
                               client_label(request), SERVICE)
        return FileResponse(spooled.path, media_type=spooled.media_type, filename=f"{batch_id}-{name}",
                            headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})

    # --- refused letters (the intake's dead letters)

    async def refused(self, request: Request) -> Response:
        if (refusal := desk_refusal(request)) is not None:
            return refusal
        principal: Principal = request.state.principal
        lang = language(request)
        t = texts_for(lang)
        if not self.bus_url:
            return message(request, 503, t["bus_down"])
        try:
            async with open_dlq_store(self.bus_url) as store:
                dead = await store.list(LETTERS_ISSUED, DLQ_READ)
        except Exception:  # the broker unreachable, or refusing this service: say so, not a 500
            log.exception("listing the intake's dead letters failed")
            return message(request, 503, t["bus_down"])
        visible = [r for r in map(_refused, dead) if access.sees(principal, r.municipality)]
        shown = visible[::-1][:SHOWN]  # the store reads oldest first; people want the latest first
        return render(request, "refused.html.j2", section="refused", done=request.query_params.get("done") == "1",
                      gone=request.query_params.get("gone") == "1", total=len(visible),
                      count=count_words(REFUSED_LETTERS, len(visible), lang),
                      rows=[{"id": r.id, "letter_id": r.letter_id or t["dlq_unreadable"],
                             "municipality": municipality_text(r.municipality) or "–",
                             "kind": label(DLQ_KINDS, r.kind, lang), "reason": r.reason, "attempts": r.attempts,
                             "at": _dlq_when(r.at, lang)} for r in shown],
                      action=with_lang(f"{REFUSED}/replay", request))

    async def replay(self, request: Request) -> Response:
        form = await read_form(request)
        if (refusal := form_refusal(request, form)) is not None:
            return refusal
        principal: Principal = request.state.principal
        t = texts_for(language(request))
        dead_id = form.get("id", "")[:200]
        if not self.bus_url:
            return message(request, 503, t["bus_down"])
        try:
            async with open_dlq_store(self.bus_url) as store:
                try:
                    dead = await store.get(dead_id)
                except (DeadLetterNotFound, MalformedDeadLetterId):
                    return RedirectResponse(with_lang(REFUSED, request, gone="1"), 303)
                found = _refused(dead)
                # Another topic's dead letter, or another municipality's: as if there were none.
                if not _is_intake(dead) or not access.sees(principal, found.municipality):
                    return message(request, 404, t["dlq_gone"])
                try:
                    await store.replay(dead_id)
                except DeadLetterNotFound:  # replayed meanwhile by someone else
                    return RedirectResponse(with_lang(REFUSED, request, gone="1"), 303)
        except Exception:  # e.g. a NATS user without the right to publish letters.issued.v1
            log.exception("replaying a dead letter of the intake failed")
            return message(request, 503, t["bus_down"])
        async with self.pool().acquire() as conn:
            await audit.record(conn, principal, Access(REPLAY_REFUSED, "letter", found.letter_id or dead_id),
                               client_label(request), SERVICE)
        return RedirectResponse(with_lang(REFUSED, request, done="1"), 303)

    # --- webhooks

    async def webhooks(self, request: Request) -> Response:
        if (refusal := desk_refusal(request)) is not None:
            return refusal
        principal: Principal = request.state.principal
        lang = language(request)
        t = texts_for(lang)
        shown = []
        async with self.pool().acquire() as conn:
            for endpoint in await webhooks_repo.endpoints(conn, self.schema, principal.municipality):
                if not access.sees(principal, endpoint["municipality"]):
                    continue
                latest = await webhooks_repo.deliveries(conn, self.schema, endpoint["webhook_id"], None, 20)
                failed = await webhooks_repo.deliveries(conn, self.schema, endpoint["webhook_id"], "failed", 20)
                shown.append({
                    "id": str(endpoint["webhook_id"]), "url": endpoint["url"],
                    "municipality": municipality_text(endpoint["municipality"]),
                    "events": ", ".join(t["all_events"] if e == "*" else label(EVENT_TYPES, e, lang)
                                        for e in endpoint["event_types"]),
                    "created": when(endpoint["created_at"], lang),
                    "latest": [_delivery_row(d, lang, request) for d in latest],
                    "failed": [_delivery_row(d, lang, request) for d in failed],
                    "replay": f"{WEBHOOKS}/{endpoint['webhook_id']}/deliveries",
                })
        return render(request, "webhooks.html.j2", section="webhooks", endpoints=shown,
                      done=request.query_params.get("done") == "1", replay_query=with_lang("/replay", request))

    async def replay_delivery(self, request: Request) -> Response:
        """Deliver a failed notification again (same webhook-id, a fresh 24 h window), as the
        API's `POST /v1/webhooks/{id}/deliveries/{id}/replay` does."""
        form = await read_form(request)
        if (refusal := form_refusal(request, form)) is not None:
            return refusal
        principal: Principal = request.state.principal
        t = texts_for(language(request))
        webhook_id = _uuid(request.path_params["webhook_id"])
        delivery_id = _uuid(request.path_params["delivery_id"])
        now = self.clock()
        async with self.pool().acquire() as conn:
            endpoint = await webhooks_repo.endpoint(conn, self.schema, webhook_id) if webhook_id else None
            if endpoint is None or delivery_id is None or not access.sees(principal, endpoint["municipality"]):
                return message(request, 404, t["unknown_delivery"])
            async with conn.transaction():
                if not await webhooks_repo.replay(conn, self.schema, endpoint["webhook_id"], delivery_id, now,
                                                  self.retry.give_up_at(now)):
                    return message(request, 404, t["unknown_delivery"])
                await audit.record(conn, principal, Access(REPLAY_DELIVERY, "webhook delivery", str(delivery_id)),
                                   client_label(request), SERVICE)
        return RedirectResponse(with_lang(WEBHOOKS, request, done="1"), 303)


# --- helpers


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        return None


def _letter_row(view: LetterView, lang: str, request: Request) -> dict[str, Any]:
    letter_id = str(view.letter_id)
    return {"id": letter_id, "short": letter_id[:8], "href": with_lang(f"{LETTERS}/{letter_id}", request),
            "reference": view.sender_reference or "–", "municipality": municipality_text(view.municipality),
            "status": label(STATUS, view.status, lang), "status_code": view.status,
            "received": when(view.received_at, lang), "updated": when(view.updated_at, lang)}


def _why(to_state: str, reason: str | None, lang: str) -> str:
    if to_state == "in_batch" and reason:
        return f"{texts_for(lang)['print_batch']} {reason}"  # the batch id is the reason of that step
    return reason_text(reason, lang)


def _batch_row(view: PrintBatchView, lang: str, request: Request) -> dict[str, Any]:
    t = texts_for(lang)
    p = view.progress
    return {"id": view.batch_id, "href": with_lang(f"{BATCHES}/{view.batch_id}", request),
            "cutoff": cutoff_text(view.cutoff_at, lang), "letters": integer_words(view.letter_count, lang),
            "pages": integer_words(view.page_count, lang),
            "confirmation": label(CONFIRMATION, view.confirmation_state, lang),
            "files": _files_text(view, t), "files_written": view.files_written,
            # (state, how many, the number in words): the list shows only the states some letter is in.
            "progress": [(name, n, integer_words(n, lang)) for name, n in (
                (t["count_in_batch"], p.in_batch), (label(STATES, "printed", lang), p.printed),
                (label(STATES, "posted", lang), p.posted), (label(STATES, "returned", lang), p.returned),
                (label(STATES, "failed", lang), p.failed))]}


def _files_text(view: PrintBatchView, t: dict[str, str]) -> str:
    if view.files_purged_at is not None:
        return t["files_purged"]
    return t["download"] if view.files_written else t["files_pending"]


def _delivery_row(row: asyncpg.Record, lang: str, request: Request) -> dict[str, Any]:
    letter_id = row["letter_id"]
    return {"at": when(row["created_at"], lang), "event": label(EVENT_TYPES, row["event_type"], lang),
            "letter": str(letter_id)[:8] if letter_id else "–",
            "href": with_lang(f"{LETTERS}/{letter_id}", request) if letter_id else None,
            "state": label(DELIVERY_STATES, row["state"], lang), "state_code": row["state"],
            "attempts": row["attempts"], "id": str(row["delivery_id"]),
            "answer": " ".join(x for x in (str(row["last_status"] or ""),
                                           mask_national_numbers(row["last_error"] or "")) if x) or "–"}


def _is_intake(dead: DeadLetter) -> bool:
    return dead.original_topic == LETTERS_ISSUED


def _refused(dead: DeadLetter) -> Refused:
    """Only ids come out of the body: the letter's and its municipality's (to check the scope)."""
    letter_id = municipality = None
    try:
        event = json.loads(dead.body)
        payload = event.get("payload") if isinstance(event, dict) else None
        if isinstance(payload, dict):
            municipality = payload.get("municipality") if isinstance(payload.get("municipality"), str) else None
            candidate = payload.get("letter_id")
            letter_id = str(uuid.UUID(candidate)) if isinstance(candidate, str) else None
    except (ValueError, UnicodeDecodeError):
        pass
    return Refused(id=dead.id, letter_id=letter_id, municipality=municipality, kind=dead.kind,
                   reason=mask_national_numbers(dead.reason), attempts=dead.attempts, at=dead.at)


def _dlq_when(at: str, lang: str) -> str:
    try:
        return when(dt.datetime.fromisoformat(at), lang)
    except ValueError:
        return at or "–"
