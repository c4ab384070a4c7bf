"""The language switch: the same address in each language, keeping what the address chose."""

from loket.infra.http.language_links import language_links


def test_each_language_keeps_the_query_and_replaces_lang_last() -> None:
    links = language_links("", [("lang", "en"), ("period", "week"), ("day", "2026-12-07")], ("nl", "fr"))
    assert links == {"nl": "?period=week&day=2026-12-07&lang=nl", "fr": "?period=week&day=2026-12-07&lang=fr"}


def test_repeated_parameters_all_stay() -> None:
    links = language_links("/public/find", [("kind", "laptop"), ("kind", "tablet")], ("de",))
    assert links == {"de": "/public/find?kind=laptop&kind=tablet&lang=de"}


def test_one_shot_parameters_are_dropped() -> None:
    links = language_links("/staff/manage/p", [("done", "saved"), ("key", "secret"), ("week", "2")], ("en",),
                           dropping=("done", "key"))
    assert links == {"en": "/staff/manage/p?week=2&lang=en"}


def test_values_are_encoded() -> None:
    assert language_links("", [("q", "Rue de l'Église & co")], ("fr",)) == {"fr": "?q=Rue+de+l%27%C3%89glise+%26+co&lang=fr"}
