"""`kiemdiem import_file PATH [--user USERNAME]`: the web import, from the command line.

Runs inline with a progress line. Without --user the import runs with full rights (whoever
can run this command already has the database); with --user it is limited to that user's
scope, exactly as on the web. Exit code 1, with every error printed, when the file has errors
(nothing is saved then).
"""
from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kiemdiem.organisations import imports
from kiemdiem.organisations.access import Scope


class Command(BaseCommand):
    help = "Nhập tổ chức và đảng viên từ tệp .xlsx hoặc .csv (theo tệp mẫu)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="tệp .xlsx hoặc .csv")
        parser.add_argument("--user", help="nhập với quyền của người dùng này (mặc định: toàn quyền)")

    def handle(self, *args, path: str, user: str | None = None, verbosity: int = 1, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(_("Không tìm thấy tệp %(path)s.") % {"path": path})
        actor, scope = None, Scope(superuser=True)
        if user:
            try:
                actor = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(_("Không có người dùng “%(user)s”.") % {"user": user})
            scope = None  # the user's own scope

        interactive = verbosity > 0 and self.stdout.isatty()

        def progress(done: int, total: int, message: str, saving: bool) -> None:
            if verbosity > 0:
                percent = int(100 * done / total) if total else 0
                line = f"{message} {percent:3d}%"
                # one rewritten line on a terminal, one line per report otherwise
                self.stdout.write(f"\r{line:<60}" if interactive else line, ending="" if interactive else "\n")
                self.stdout.flush()

        result = imports.import_file(file, actor=actor, scope=scope, progress=progress)
        if interactive:
            self.stdout.write("")
        if not result.ok:
            for error in result.errors:
                where = " · ".join(str(x) for x in (error["sheet"], error["row"] and _("dòng %(n)d") % {"n": error["row"]}) if x)
                self.stderr.write(f"{where}: {error['message']}" if where else error["message"])
            raise CommandError(result.summary())
        self.stdout.write(self.style.SUCCESS(result.summary()))
