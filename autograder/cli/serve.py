"""``grade serve``: the submission service, its personal links and its admin token."""
from __future__ import annotations


from typing import TYPE_CHECKING

import click

from autograder.cli.common import course_from, secret_of

if TYPE_CHECKING:
    from autograder.course.config import Course


@click.group("serve", invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--jobs", "-j", default=2, show_default=True, type=click.IntRange(min=1),
              help="Hand-ins graded at once.")
@click.option("--sandbox", type=click.Choice(("auto", "bwrap", "none")), default="auto", show_default=True,
              help="Where student code runs (see grade autograde --help).")
@click.option("--db", "db_url", metavar="URL", envvar="DLGRADE_DB", default=None,
              help="SQLAlchemy URL of the database for the service's tables and the gradebook, e.g. "
                   "postgresql+psycopg://grader@dbhost/dl101 (pip install 'dlgrade[postgres]'). Default: "
                   "SQLite files in the course folder. Give it before links/admin-token too. Env: DLGRADE_DB.")
@click.option("--scheduler", metavar="tcp://HOST:8786", envvar="DLGRADE_SCHEDULER", default=None,
              help="Grade hand-ins on this Dask scheduler's workers instead of --jobs local processes "
                   "(pip install 'dlgrade[dask]'; see grade autograde --help). Env: DLGRADE_SCHEDULER.")
@click.pass_context
def serve_command(ctx: click.Context, host: str, port: int, jobs: int, sandbox: str, db_url: str | None,
                  scheduler: str | None) -> None:
    """Serve the course: students open their link, download their notebook, hand in, read feedback.

    Hand-ins are stored before the answer and graded at once in a pool of
    JOBS processes; a restart grades whatever was still queued. Put it behind
    a reverse proxy with TLS for real use (see the README).

    \b
    Examples:
      grade serve links a2 -o links.csv     # one personal link per student, for a mail merge
      grade serve --port 8000               # then send the links
      grade serve --db postgresql+psycopg://grader@dbhost/dl101 --port 8000
      grade serve --scheduler tcp://10.0.0.5:8786   # grade on a Dask cluster
    """
    if ctx.invoked_subcommand is not None:
        return
    course = course_from(ctx.obj)
    run_service(course, secret=secret_of(course).value, host=host, port=port, jobs=jobs, sandbox=sandbox,
                db_url=db_url, scheduler=scheduler)


def _store(ctx: click.Context):
    """The service store of the course, on the group's ``--db`` (for the subcommands)."""
    from autograder.service.server import service_store
    from autograder.service.store import StoreError

    try:
        return service_store(course_from(ctx.obj), ctx.parent.params.get("db_url") if ctx.parent else None)
    except StoreError as err:
        raise click.ClickException(str(err)) from None


def run_service(course: Course, *, secret: bytes, host: str, port: int, jobs: int, sandbox: str = "auto",
                demo_links: bool = False, db_url: str | None = None, scheduler: str | None = None) -> None:
    """Serve ``course`` until Ctrl-C; with ``demo_links``, first print a personal link for each roster
    student and an admin link (new tokens each time)."""
    import uvicorn

    from autograder.course.config import ROSTER_FILE, read_roster
    from autograder.grading.executors import ExecutorError
    from autograder.service.server import open_service
    from autograder.service.store import StoreError

    try:
        running = open_service(course, secret=secret, jobs=jobs, sandbox=sandbox, db_url=db_url,
                               scheduler=scheduler)
    except (StoreError, ExecutorError) as err:
        raise click.ClickException(str(err)) from None
    base = f"http://{host}:{port}"
    if demo_links:
        click.echo("\nDemo links (each one signs in; keep them private):")
        for student in read_roster(course.root / ROSTER_FILE):
            click.echo(f"  {student.id:<10} {base}/login/{running.store.new_token(student.id)}")
        click.echo(f"  {'instructor':<10} {base}/admin/login/{running.store.new_token('admin', role='admin')}")
    click.echo(f"serving {course.name} on {base}/ (Ctrl-C stops; queued hand-ins are kept)")
    try:
        uvicorn.run(running.app, host=host, port=port, log_level="warning")
    finally:
        running.close()


@serve_command.command("links")
@click.option("--output", "-o", type=click.File("w"), default="-", help="CSV file to write (default: stdout).")
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True,
              help="The address students reach the service at.")
@click.pass_context
def links_command(ctx: click.Context, output, base_url: str) -> None:
    """Write one personal link per roster student (columns student,url; a new token each)."""
    from autograder.course.config import ROSTER_FILE, read_roster
    from autograder.service.server import personal_links

    course = course_from(ctx.obj)
    store = _store(ctx)
    try:
        written = personal_links(store, read_roster(course.root / ROSTER_FILE), base_url, output)
    finally:
        store.close()
    click.echo(f"wrote {written} personal link(s)", err=True)


@serve_command.command("admin-token")
@click.pass_context
def admin_token_command(ctx: click.Context) -> None:
    """Print a new admin token (for the JSON API: Authorization: Bearer TOKEN)."""
    store = _store(ctx)
    try:
        click.echo(store.new_token("admin", role="admin"))
    finally:
        store.close()


@serve_command.command("revoke")
@click.argument("student")
@click.pass_context
def revoke_command(ctx: click.Context, student: str) -> None:
    """Revoke every token of STUDENT (a leaked link, a shared notebook with a submit cell); then send
    them a new link with `grade serve links`."""
    store = _store(ctx)
    try:
        count = store.revoke(student)
    finally:
        store.close()
    click.echo(f"revoked {count} token(s) of {student}", err=True)
