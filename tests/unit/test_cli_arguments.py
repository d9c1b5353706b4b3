"""The serve command's intervals and delays: a number of seconds, or a clear usage error."""

from __future__ import annotations

import pytest

from stakenet.cli import build_parser


@pytest.mark.parametrize("option", ["--poll-interval", "--prune-interval"])
@pytest.mark.parametrize("given", ["0", "-1", "nan", "inf", "soon"])
def test_an_interval_must_be_a_number_of_seconds_above_zero(
    option: str, given: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["serve", option, given])
    assert exit_.value.code == 2
    assert f"expected a number of seconds above 0, not {given!r}" in capsys.readouterr().err


@pytest.mark.parametrize("given", ["-0.5", "nan", "inf", "soon"])
def test_the_analytics_debounce_must_be_a_number_of_seconds_from_zero(
    given: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["serve", "--analytics-debounce", given])
    assert exit_.value.code == 2
    assert f"expected a number of seconds 0 or more, not {given!r}" in capsys.readouterr().err


def test_no_debounce_is_allowed() -> None:
    assert build_parser().parse_args(["serve", "--analytics-debounce", "0"]).analytics_debounce == 0


def test_intervals_and_kept_revisions_are_read_as_given() -> None:
    args = build_parser().parse_args(
        ["serve", "--poll-interval", "0.2", "--prune-interval", "1.5", "--keep-revisions", "3"]
    )
    assert (args.poll_interval, args.prune_interval, args.keep_revisions) == (0.2, 1.5, 3)
    defaults = build_parser().parse_args(["serve"])
    assert (defaults.prune_interval, defaults.keep_revisions) == (3600.0, None)
