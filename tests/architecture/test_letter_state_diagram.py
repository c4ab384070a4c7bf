"""docs/architecture.md draws the letter state machine as one Mermaid `stateDiagram-v2` per
channel, named by a `%% channel: <name>` comment inside the block. Each diagram's edges must
be exactly `states.TRANSITIONS[channel]`: a transition the code allows but the page does not
draw fails, and so does one the page draws but the code refuses. `[*]` stands for None (no
state yet); a transition label (`a --> b: why`) is text for the reader and is ignored."""

from __future__ import annotations

import re

import pytest

from services.ebox_bridge.domain import states
from tests.architecture.imports import ROOT

DOC = ROOT / "docs" / "architecture.md"
BLOCK = re.compile(r"^```mermaid[ \t]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
CHANNEL = re.compile(r"^%%\s*channel:\s*(\w+)\s*$")
EDGE = re.compile(r"^(\[\*\]|[\w-]+)\s*-->\s*(\[\*\]|[\w-]+)\s*(?::.*)?$")

Edge = tuple[str | None, str | None]


def _state(token: str) -> str | None:
    return None if token == "[*]" else token


def diagrams(markdown: str) -> dict[str, set[Edge]]:
    """Channel → the (from, to) edges of its diagram, from every labelled Mermaid state diagram."""
    found: dict[str, set[Edge]] = {}
    for block in BLOCK.findall(markdown):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines or lines[0] != "stateDiagram-v2":
            continue
        channels = [m.group(1) for line in lines if (m := CHANNEL.match(line))]
        if not channels:
            continue
        assert len(channels) == 1, f"a diagram names more than one channel: {channels}"
        channel = channels[0]
        assert channel not in found, f"two diagrams for the {channel} channel"
        edges: set[Edge] = set()
        for line in lines[1:]:
            if line.startswith("%%"):
                continue
            match = EDGE.match(line)
            assert match, f"{channel} diagram: cannot read {line!r} (only `a --> b[: label]` lines)"
            edges.add((_state(match.group(1)), _state(match.group(2))))
        found[channel] = edges
    return found


def differences(drawn: set[Edge], allowed: frozenset[Edge] | set[Edge]) -> tuple[set[Edge], set[Edge]]:
    """(allowed in code but not drawn, drawn but not allowed in code)."""
    return set(allowed) - drawn, drawn - set(allowed)


def _show(edges: set[Edge]) -> str:
    return ", ".join(sorted(f"{a or '[*]'} --> {b or '[*]'}" for a, b in edges))


def test_the_page_has_one_diagram_per_channel() -> None:
    assert set(diagrams(DOC.read_text(encoding="utf-8"))) == set(states.TRANSITIONS)


@pytest.mark.parametrize("channel", sorted(states.TRANSITIONS))
def test_the_diagram_draws_exactly_the_transitions_of_the_code(channel: str) -> None:
    drawn = diagrams(DOC.read_text(encoding="utf-8")).get(channel, set())
    missing, extra = differences(drawn, states.TRANSITIONS[channel])
    assert not missing, f"{channel}: allowed in states.TRANSITIONS but not drawn: {_show(missing)}"
    assert not extra, f"{channel}: drawn but not in states.TRANSITIONS: {_show(extra)}"


SAMPLE = """
Text with another diagram that is not a state machine:

```mermaid
flowchart LR
    a --> b
```

```mermaid
stateDiagram-v2
    %% channel: ebox
    [*] --> pending: routed
    pending --> publishing
    publishing --> publishing: lease ran out
```
"""


def test_the_parser_reads_edges_labels_and_the_start_state() -> None:
    assert diagrams(SAMPLE) == {"ebox": {(None, "pending"), ("pending", "publishing"),
                                         ("publishing", "publishing")}}


def test_the_comparison_finds_an_edge_missing_from_the_page_and_one_too_many() -> None:
    drawn = diagrams(SAMPLE)["ebox"]
    code = {(None, "pending"), ("pending", "publishing"), ("publishing", "delivered_to_ebox")}
    assert differences(drawn, code) == ({("publishing", "delivered_to_ebox")}, {("publishing", "publishing")})
    assert differences(drawn, drawn) == (set(), set())


def test_the_parser_refuses_a_line_it_cannot_read() -> None:
    broken = SAMPLE.replace("pending --> publishing\n", "pending -> publishing\n")
    with pytest.raises(AssertionError, match="cannot read"):
        diagrams(broken)
