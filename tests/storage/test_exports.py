"""The public surface of storage.repository is declared and complete."""

from __future__ import annotations

import inspect

import storage.repository as repository


def test_all_lists_every_public_function_and_view() -> None:
    public = {
        name
        for module in (
            "documents", "findings", "indexing", "listing", "runs", "stages", "views"
        )
        for name, obj in inspect.getmembers(getattr(repository, module))
        if not name.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and obj.__module__ == f"storage.repository.{module}"
    }
    assert public <= set(repository.__all__), public - set(repository.__all__)
    for name in repository.__all__:
        assert hasattr(repository, name), name


def test_public_functions_are_typed() -> None:
    for name in repository.__all__:
        obj = getattr(repository, name)
        if inspect.isfunction(obj):
            signature = inspect.signature(obj)
            assert signature.return_annotation is not inspect.Signature.empty, name
            for param in signature.parameters.values():
                assert param.annotation is not inspect.Parameter.empty, (name, param.name)
