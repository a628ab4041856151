"""Argos packages: `tracker models list|install|remove|available` and `tracker retranslate`."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli import UserError, database_session, render
from tracker.config import Settings


@click.group()
def models() -> None:
    """Argos Translate packages used for translation."""


@models.command("list")
@click.pass_obj
def models_list(settings: Settings) -> None:
    """List installed translation packages."""
    from tracker.translation.packages import list_packages

    packages = list_packages(settings.translation.models_dir)
    if not packages:
        click.echo(f"no models installed in {settings.translation.models_dir}")
    for package in packages:
        click.echo(
            f"{package.code}\t{package.from_code}→{package.to_code}\t{package.version or '-'}\t"
            f"sha256 {package.sha256[:12]}\t{package.path}"
        )


@models.command("install")
@click.argument("what", nargs=-1, required=True)
@click.option("--replace", is_flag=True, help="Replace an installed package with the same code.")
@click.pass_obj
def models_install(settings: Settings, what: tuple[str, ...], replace: bool) -> None:
    """Install FILE.argosmodel, or FROM TO (e.g. `vi en`) from Argos's package index."""
    from tracker.runlog import choose_log
    from tracker.translation.index import install_from_index
    from tracker.translation.packages import install_file

    log = choose_log(json_lines=False)  # a progress bar on a terminal, nothing otherwise
    try:
        if len(what) == 1:
            package = install_file(settings.translation.models_dir, Path(what[0]), replace=replace)
        elif len(what) == 2:
            package = install_from_index(
                settings.translation.models_dir,
                what[0],
                what[1],
                replace=replace,
                progress=log.download_progress(f"{what[0]}→{what[1]} model"),
                index_url=settings.translation.index_url,
            )
        else:
            raise UserError("give a FILE.argosmodel, or two language codes such as `vi en`")
    finally:
        log.close()
    click.echo(f"installed {package.code} {package.version} ({package.from_code}→{package.to_code}) in {package.path}")


@models.command("remove")
@click.argument("code")
@click.pass_obj
def models_remove(settings: Settings, code: str) -> None:
    """Remove an installed package by its code (see `tracker models list`)."""
    from tracker.translation.packages import remove_package

    remove_package(settings.translation.models_dir, code)
    click.echo(f"removed {code}")


@models.command("available")
@click.pass_obj
def models_available(settings: Settings) -> None:
    """List the packages Argos's index offers (needs internet)."""
    from tracker.translation.index import available_packages
    from tracker.translation.packages import list_packages

    offered = available_packages(settings.translation.index_url, timeout=5.0)
    installed = {p.code: p.version for p in list_packages(settings.translation.models_dir)}
    for package in offered:
        mark = ""
        if package.code in installed:
            mark = f"\tinstalled {installed[package.code] or '-'}"
        click.echo(
            f"{package.code}\t{package.from_code}→{package.to_code}\t{package.version or '-'}\t"
            f"{package.from_name} → {package.to_name}{mark}"
        )


@click.command()
@click.option(
    "--package",
    "package_code",
    required=True,
    help="Code of the package whose translations to redo, e.g. translate-vi_en.",
)
@click.option("--before-version", help="Only translations made by versions of it older than this one.")
@click.pass_obj
def retranslate(settings: Settings, package_code: str, before_version: str | None) -> None:
    """Translate again, with the installed models, what an (older) package translated."""
    from tracker.translation.retranslate import retranslate as retranslate_versions

    with database_session(settings) as session:
        report = retranslate_versions(session, settings, package_code, before_version)
    if not report.matched:
        older = f" older than {before_version}" if before_version else ""
        click.echo(f"no ready translation was made by {package_code}{older}: nothing to retranslate")
        return
    click.echo(
        f"retranslated {len(report.retranslated)}, already current {report.current}; {render.work_line(report.stats)}"
    )
    for from_code, to_code in sorted(report.missing_pairs):
        click.echo(
            f"  no Argos model for {from_code}→{to_code}: not retranslated "
            f"(`tracker models install {from_code} {to_code}`)"
        )
    if report.retranslated:
        click.echo("  excerpts follow the new translations on the next `tracker run`")
