"""`fairwatch users add|list|role|password|token`: console accounts and API tokens."""

from __future__ import annotations

import click

from fairwatch.cli._common import domain_errors, settings_or_exit
from storage.models import ROLES


@click.group("users")
def users_group() -> None:
    """Console accounts (roles: admin, reviewer, monitor, viewer) and API tokens."""


def _db():  # noqa: ANN202
    from fairwatch.app import open_database

    settings = settings_or_exit()
    with domain_errors():
        return open_database(settings)


def _ask_password() -> str:
    from fairwatch.web.passwords import WeakPassword, hash_password

    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        return hash_password(password)
    except WeakPassword as exc:
        raise click.UsageError(str(exc)) from exc


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
def add(name: str, role: str) -> None:
    """Add account NAME; asks for its password (there is no default password)."""
    from storage.repository import accounts

    db = _db()
    hashed = _ask_password()
    with domain_errors():
        user = accounts.add_user(db, name, role, hashed)
    click.echo(f"user {user.name} added with role {user.role}")


@users_group.command("list")
def list_users() -> None:
    """Accounts and their roles."""
    from storage.repository import accounts

    for user in accounts.list_users(_db()):
        click.echo(f"{user.name}\t{user.role}\t{'active' if user.active else 'disabled'}")


@users_group.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
def role(name: str, role: str) -> None:
    """Give account NAME another role."""
    from storage.repository import accounts

    db = _db()
    with domain_errors():
        accounts.set_role(db, name, role)
    click.echo(f"user {name} now has role {role}")


@users_group.command("password")
@click.argument("name")
def password(name: str) -> None:
    """Set a new password for NAME (its console sessions end)."""
    from storage.repository import accounts

    db = _db()
    hashed = _ask_password()
    with domain_errors():
        accounts.set_password(db, name, hashed)
    click.echo(f"password of {name} changed")


@users_group.command("token")
@click.argument("name")
@click.option("--label", default="", help="What the token is for.")
def token(name: str, label: str) -> None:
    """Create an API token for NAME and print it (only its hash is kept)."""
    from fairwatch.web.passwords import new_token, token_digest
    from storage.repository import accounts

    db = _db()
    value = new_token()
    with domain_errors():
        accounts.add_api_token(db, name, token_digest(value), label)
    click.echo(value)
