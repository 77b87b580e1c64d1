"""The `grade` command line (placeholder until the engine lands)."""
import click


@click.group()
def main() -> None:
    """dlgrade: build, release and grade neural-network exercises."""


@main.command()
def demo() -> None:
    """Run the main job on the bundled sample course."""
    click.echo("demo: not built yet")
