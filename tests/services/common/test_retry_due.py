"""When a failed event may be tried again (services.common.messaging.retries): the DUE header it
is given when it fails and how long the service then holds it. Worked by hand in milliseconds."""

import pytest

from services.common.messaging import retries


def test_a_failure_is_due_its_delay_after_it_failed():
    # failed at 1,000.25 s with a 2 s delay: due at 1,002.25 s = 1,002,250 ms
    assert retries.due_header(2, now=1000.25) == {retries.DUE: 1_002_250}
    assert retries.due_header(0.5, now=10) == {retries.DUE: 10_500}


@pytest.mark.parametrize(
    ("now", "wait"),
    [
        (1000.0, 2.25),  # 1,002,250 ms - 1,000,000 ms: still 2.25 s to wait
        (1002.0, 0.25),  # a quarter of a second before it is due
        (1002.25, 0.0),  # due this instant: sent back at once
        (1010.0, 0.0),  # past due (a service was down): at once, never a negative sleep
    ],
)
def test_a_retry_waits_until_it_is_due_and_no_longer(now, wait):
    headers = {retries.DUE: 1_002_250, "x-kam-attempts": 1}
    assert retries.seconds_to_wait(headers, now=now) == pytest.approx(wait)


@pytest.mark.parametrize("headers", [None, {}, {retries.DUE: "soon"}, {retries.DUE: None}])
def test_a_retry_without_a_readable_due_time_goes_back_at_once(headers):
    # put in a retry queue by an earlier version, or its header mangled: tried at once (idempotent)
    assert retries.seconds_to_wait(headers, now=1000.0) == 0.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1,2,4", (1.0, 2.0, 4.0)), ("[1, 2]", (1.0, 2.0)), ([0.5, 3], (0.5, 3.0))],
)
def test_the_delays_are_read_from_text_or_a_list(value, expected):
    assert retries.delays(value) == expected


@pytest.mark.parametrize("value", ["", "1,0", [-1], "[]"])
def test_delays_that_are_not_positive_are_refused(value):
    with pytest.raises(ValueError, match="EVENT_RETRY_DELAYS must be positive seconds"):
        retries.delays(value)
