"""The JSON body every API parses: what is not JSON is a MalformedJson (400), text PostgreSQL
cannot store is an UnstorableText naming its place (422); neither escapes as another error."""

from __future__ import annotations

import pytest

from loket.contracts.storable_text import first_unstorable
from loket.infra.http.json_body import MalformedJson, UnstorableText, parse_json


def test_a_body_nested_past_the_recursion_limit_is_malformed_not_a_recursion_error() -> None:
    with pytest.raises(MalformedJson, match="the body nests arrays or objects too deeply"):
        parse_json(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(MalformedJson, match="the letter part nests"):
        parse_json(b'{"a":' * 5_000 + b"1" + b"}" * 5_000, "the letter part")


@pytest.mark.parametrize(("raw", "message"), [
    (b"{not json", "the body is not valid JSON: Expecting property name"),
    (b"", "the body is not valid JSON"),
    (b'{"a": "\xff"}', "the body is not UTF-8 (invalid byte at offset 7)"),
])
def test_what_is_not_json_says_why(raw: bytes, message: str) -> None:
    with pytest.raises(MalformedJson) as caught:
        parse_json(raw)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(("raw", "path"), [
    (b'{"subject": "Uw factuur\\u0000"}', ("subject",)),
    (b'{"letters": [{"a": "x"}, {"postal_address": {"name": "Jan\\u0000"}}]}', ("letters", 1, "postal_address", "name")),
    (b'{"email": "a\\ud800@b.be"}', ("email",)),  # a lone surrogate: UTF-8 cannot encode it
    (b'{"x\\u0000y": 1}', ("x\x00y",)),  # a key is text too
    (b'["ok", "\\udc00"]', (1,)),
])
def test_unstorable_text_is_refused_where_it_is(raw: bytes, path: tuple[str | int, ...]) -> None:
    with pytest.raises(UnstorableText, match="NUL character") as caught:
        parse_json(raw)
    assert caught.value.path == path


def test_escapes_of_storable_text_and_an_escaped_backslash_pass() -> None:
    # "\\u0000" is a backslash and five characters, not a NUL; a surrogate pair is one character.
    assert parse_json(b'{"a": "\\\\u0000", "b": "\\ud83d\\ude00", "c": "\\u00e9"}') == {
        "a": "\\u0000", "b": "\U0001f600", "c": "é"}


def test_first_unstorable_walks_every_container() -> None:
    assert first_unstorable({"a": [1, None, {"b": "ok"}], "c": True}) is None
    assert first_unstorable({"a": [1, {"b": "\x00"}]}) == ("a", 1, "b")
    assert first_unstorable("\x00") == ()
