"""`fold`'s ASCII shortcut gives what the general Unicode path gives."""

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from stakenet.domain.text import _fold_unicode, fold


def test_every_ascii_character_folds_as_the_general_path_folds_it() -> None:
    for code in range(128):
        assert fold(chr(code)) == _fold_unicode(chr(code))
    assert fold("Anna HOLM-Ek, CFO 2") == "anna holm-ek, cfo 2"


def test_text_with_any_non_ascii_letter_takes_the_general_path() -> None:
    assert fold("Søren ÅGÅRD") == "soren agard"
    assert fold("STRASSE ß") == "strasse ss"


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(alphabet=st.characters(max_codepoint=127)), st.text()))
def test_the_ascii_shortcut_folds_as_the_general_path(text: str) -> None:
    assert fold(text) == _fold_unicode(text)


@given(st.text(alphabet=string.printable))
def test_printable_ascii_folds_to_its_lower_case(text: str) -> None:
    assert fold(text) == _fold_unicode(text) == text.lower()
