"""The sign-in's answer crosses from the callback page to the keeper: the page forwards the
authorization response's parameters (js/callback/answer.ts ANSWER_PARAMS) and the keeper reads them
(_keeper/authorize.py ANSWER_PARAMS). One list on each side, held equal here, so that a parameter
added on one side only (say RFC 9207's iss) fails at once instead of being dropped on the way."""

from __future__ import annotations

import re

from ts_source import sources

from ipython_oidc_client._keeper.authorize import ANSWER_PARAMS


def test_the_page_forwards_exactly_what_the_keeper_reads() -> None:
    found = [re.search(r"const ANSWER_PARAMS = \[(.*?)\] as const", src, re.S) for src in sources().values()]
    (listed,) = [m.group(1) for m in found if m]
    assert tuple(re.findall(r'"([a-z_]+)"', listed)) == ANSWER_PARAMS
