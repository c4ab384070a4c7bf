"""The one mapping from booking's domain errors to HTTP statuses, and the endpoint wrapper that
answers with it (served on loopback, no database)."""

from __future__ import annotations

import aiohttp
import pytest
from pydantic import BaseModel
from starlette.applications import Starlette

from services.booking.errors import (
    BookingError,
    Conflict,
    Gone,
    Invalid,
    NotAllowed,
    NotFound,
    NotOffered,
)
from services.booking.http.endpoint import Endpoint, to_route
from services.booking.http.errors import STATUS, as_problem, status_of
from services.booking.http.problem import PROBLEM_MEDIA_TYPE, ProblemError
from services.booking.http.scopes import OPEN
from services.booking.locations import Locator
from tests.support.served_app import served


@pytest.mark.parametrize(("kind", "status"), [
    (NotFound, 404), (Conflict, 409), (NotAllowed, 403), (Gone, 410), (NotOffered, 422), (Invalid, 422),
])
def test_each_kind_of_refusal_answers_with_its_status(kind: type[BookingError], status: int) -> None:
    assert status_of(kind("Title", "detail")) == status


def test_every_kind_of_refusal_is_mapped() -> None:
    assert set(BookingError.__subclasses__()) == set(STATUS)


def test_a_finer_kind_answers_like_the_kind_it_refines() -> None:
    class SlotTaken(Conflict):
        """A finer kind of conflict, as a service might add one."""

    assert status_of(SlotTaken("Slot taken", "choose another time")) == 409


def test_a_refusal_becomes_a_problem_with_its_title_and_detail() -> None:
    problem = as_problem(Gone("Link expired", "this link has expired"))
    assert (problem.status, problem.title, problem.detail) == (410, "Link expired", "this link has expired")


def test_the_http_layers_own_problems_pass_unchanged() -> None:
    busy = ProblemError(503, "Busy", "please try again in a moment")
    assert as_problem(busy) is busy


async def test_the_endpoint_wrapper_answers_a_refusal_as_problem_json() -> None:
    async def refuse(request) -> BaseModel:  # type: ignore[no-untyped-def]
        raise NotAllowed("Wrong appointment", "this link belongs to another appointment")

    app = Starlette(routes=[to_route(Endpoint("GET", "/public/refuse", refuse, "refuse", None, OPEN), Locator("unused"), lambda: None)])
    async with served(app) as base, aiohttp.ClientSession(base_url=base) as http:
        async with http.get("/public/refuse") as r:
            assert r.status == 403 and r.content_type == PROBLEM_MEDIA_TYPE
            assert await r.json(content_type=None) == {
                "type": "about:blank", "title": "Wrong appointment", "status": 403,
                "detail": "this link belongs to another appointment"}
