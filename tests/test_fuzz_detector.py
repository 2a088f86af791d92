"""The fuzz campaign's markup detector: a tag's text shown without the tag is rendered markup,
unless a narrow column wrapped the cell right after the tag (campaign seed 7, case
payloads-7002874 on credit: "[link=https://x]" on one line, "Acme[/link]" under it)."""

from __future__ import annotations

from tests.test_fuzz_campaign import fuzz

TAG, SHOWN = "[link=https://x]Acme[/link]", "Acme"


def test_a_tag_rendered_away_is_markup() -> None:
    assert fuzz._rendered("Customer   Balance\nAcme       32.53\n", TAG, SHOWN)
    assert fuzz._rendered("x [link=https://x]\nAcme[/link]\n", TAG, SHOWN)  # not under the tag


def test_a_cell_wrapped_after_the_tag_is_text() -> None:
    wrapped = "C003   1.00\n[link=https://x]       32.53\nAcme[/link]\nC004   2.00\n"
    assert not fuzz._rendered(wrapped, TAG, SHOWN)
    assert not fuzz._rendered("  [link=https://x]Acme[/link]  9.00\n", TAG, SHOWN)  # escaped: "]Acme"
