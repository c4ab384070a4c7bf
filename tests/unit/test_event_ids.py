"""Event ids are UUID version 7: time first, so inbox keys grow like a sequence (event_ids.py)."""

import copy
import pickle
import time
from uuid import UUID, SafeUUID

from loket.bench.sample_events import LetterFailedFactory
from loket.contracts import LetterFailed
from loket.contracts.event_ids import new_event_id


def test_an_event_id_is_a_version_7_uuid_of_the_rfc():
    made = new_event_id()
    assert made.version == 7
    assert made.variant == "specified in RFC 4122"
    assert UUID(str(made)) == made  # survives the wire as text
    assert hash(UUID(str(made))) == hash(made)  # made without UUID.__init__: the same object inside
    assert made.is_safe is SafeUUID.unknown
    assert pickle.loads(pickle.dumps(made)) == made
    assert copy.deepcopy(made) == made


def test_its_first_48_bits_are_the_unix_time_in_milliseconds():
    before = time.time_ns() // 1_000_000
    made = new_event_id()
    after = time.time_ns() // 1_000_000
    assert before <= made.int >> 80 <= after


def test_ids_made_later_sort_after_earlier_ones():
    earlier = [new_event_id() for _ in range(50)]
    time.sleep(0.002)  # the next millisecond at least
    later = [new_event_id() for _ in range(50)]
    assert max(earlier) < min(later)
    assert max(e.bytes for e in earlier) < min(e.bytes for e in later)  # as PostgreSQL compares uuids


def test_ids_of_one_millisecond_still_differ():
    made = {new_event_id() for _ in range(10_000)}
    assert len(made) == 10_000


def test_events_get_one_by_default():
    event = LetterFailedFactory("bench").build(UUID(int=1))
    assert event.event_id.version == 7
    assert isinstance(event, LetterFailed)
