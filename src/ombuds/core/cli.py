"""A base for Ombuds' management commands: usage errors in one line, exit code 2."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser


class OneLineParser(CommandParser):
    def error(self, message):
        if self.called_from_command_line:
            print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
            sys.exit(2)
        raise CommandError(f"Error: {message}", returncode=2)

    def add_subparsers(self, **kwargs):
        kwargs.setdefault("parser_class", type(self))
        return super().add_subparsers(**kwargs)


class OmbudsCommand(BaseCommand):
    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = OneLineParser
        return parser

    def fail(self, message: str) -> CommandError:
        return CommandError(message, returncode=2)
