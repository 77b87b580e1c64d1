"""A click group that imports a command's module only when that command is asked for.

``grade ci`` should not pay for the gradebook (SQLAlchemy, nbgrader) nor
``grade --help`` for notebooks (nbformat, jsonschema) or plots (matplotlib):
the group knows its commands by name and by where they live
(``"autograder.cli.ci:ci_command"``), the pattern click's documentation calls
"LazyGroup". Command modules keep their own top-level imports light (click
and :mod:`autograder.cli.common`); heavy libraries are imported inside the
command functions that use them.
"""
from __future__ import annotations

import importlib
from typing import Any, Mapping

import click


class LazyGroup(click.Group):
    """A :class:`click.Group` whose ``lazy_commands`` (name → ``"module:attribute"``) are imported on use.

    Commands added the usual way (``@group.command()``, ``add_command``) work as
    in any group; a lazy name is imported the first time ``get_command`` asks for
    it (running it, or its line in ``--help``).
    """

    def __init__(self, *args: Any, lazy_commands: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, str] = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            self.add_command(load_command(self.lazy_commands[cmd_name]), cmd_name)
        return super().get_command(ctx, cmd_name)


def load_command(where: str) -> click.Command:
    """The click command at ``"package.module:attribute"``; a clear error when the table is wrong."""
    module_name, _, attribute = where.partition(":")
    command = getattr(importlib.import_module(module_name), attribute, None)
    if not isinstance(command, click.Command):
        raise RuntimeError(f"the command table names {where!r}, which is not a click command: "
                           f"fix the entry in autograder/cli/main.py")
    return command
