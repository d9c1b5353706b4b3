"""The import's progress bar on a terminal and elsewhere."""

from __future__ import annotations

import io

from stakenet.cli import ProgressBar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_left_unfinished_on_a_terminal_is_ended_before_what_follows() -> None:
    terminal = Terminal()
    bar = ProgressBar(terminal)
    bar("import", 500, 1000)
    bar.break_line()
    assert terminal.getvalue() == (
        "\rimport    [###############...............]  50%         500 rows\n"
    )


def test_no_line_is_ended_where_no_bar_was_drawn() -> None:
    terminal, log = Terminal(), io.StringIO()
    ProgressBar(terminal).break_line()
    bar = ProgressBar(log)
    bar("import", 500, 1000)
    bar.break_line()
    assert terminal.getvalue() == log.getvalue() == ""


def test_elsewhere_only_the_finished_bar_is_written() -> None:
    log = io.StringIO()
    bar = ProgressBar(log)
    bar("import", 500, 1000)
    bar("import", 1000, 1000)
    assert log.getvalue() == "import    [##############################] 100%       1,000 rows\n"
