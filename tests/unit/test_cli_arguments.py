"""The serve command's port, intervals, delays and limits: values it can work with, or a clear
usage error."""

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


@pytest.mark.parametrize("given", ["0", "65536", "99999", "-1", "http"])
def test_a_port_must_be_one_the_server_can_listen_on_as_announced(
    given: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["serve", "--port", given])
    assert exit_.value.code == 2
    assert f"expected a port from 1 to 65535, not {given!r}" in capsys.readouterr().err


def test_ports_at_both_ends_are_read_as_given() -> None:
    assert build_parser().parse_args(["serve", "--port", "1"]).port == 1
    assert build_parser().parse_args(["serve", "--port", "65535"]).port == 65535


@pytest.mark.parametrize(
    ("option", "given", "expected"),
    [
        ("--rate-limit", "-5", "expected a whole number, 0 or more, not '-5'"),
        ("--max-depth", "0", "expected a whole number, 1 or more, not '0'"),
        ("--max-depth", "-1", "expected a whole number, 1 or more, not '-1'"),
        ("--max-tokens", "0", "expected a whole number, 1 or more, not '0'"),
        ("--max-fields", "0", "expected a whole number, 1 or more, not '0'"),
        ("--max-body-bytes", "0", "expected a whole number, 1 or more, not '0'"),
        ("--max-aliases", "-1", "expected a whole number, 0 or more, not '-1'"),
        ("--max-directives", "-1", "expected a whole number, 0 or more, not '-1'"),
        ("--max-maps", "-1", "expected a whole number, 0 or more, not '-1'"),
        ("--execution-deadline", "nan", "expected a number of seconds above 0, not 'nan'"),
        ("--execution-deadline", "-1", "expected a number of seconds above 0, not '-1'"),
        ("--execution-deadline", "0", "expected a number of seconds above 0, not '0'"),
    ],
)
def test_a_limit_that_would_refuse_every_operation_is_a_usage_error(
    option: str, given: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["serve", option, given])
    assert exit_.value.code == 2
    assert expected in capsys.readouterr().err


def test_limits_are_read_as_given() -> None:
    given = ["--rate-limit", "0", "--max-depth", "1", "--max-maps", "0"]
    args = build_parser().parse_args(["serve", *given, "--execution-deadline", "0.05"])
    limits = (args.rate_limit, args.max_depth, args.max_maps, args.execution_deadline)
    assert limits == (0, 1, 0, 0.05)
