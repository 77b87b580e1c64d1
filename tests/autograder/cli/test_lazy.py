"""The lazy ``grade`` group: every command in its table is found, and a wrong entry says where to fix it."""
from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from autograder.cli.lazy import LazyGroup, load_command
from autograder.cli.main import COMMANDS, main


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_table_entry_is_the_command_of_that_name(name):
    """Does each name in the command table load a click command that calls itself by that name?"""
    command = load_command(COMMANDS[name])
    assert command.name == name
    assert main.get_command(click.Context(main), name) is command


def test_help_lists_table_and_defined_commands_together():
    """Does `grade --help` list the table's commands beside those defined in main.py, sorted?"""
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    listed = [line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()]
    assert listed == sorted({*COMMANDS, "build", "release", "check", "demo"})


def test_a_wrong_table_entry_names_itself():
    """Is a table entry that names no click command reported with the entry, not as an AttributeError?"""
    group = LazyGroup(name="g", lazy_commands={"oops": "autograder.cli.common:count"})
    with pytest.raises(RuntimeError, match="autograder.cli.common:count"):
        group.get_command(click.Context(group), "oops")


def test_a_name_outside_the_table_is_unknown():
    """Does an unknown command still get click's usage error (no import attempted)?"""
    result = CliRunner().invoke(main, ["no-such-command"])
    assert result.exit_code == 2
    assert "No such command" in result.output
