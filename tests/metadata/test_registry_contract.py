"""Every cleaner the engine registers is proven by a CleanerContract subclass."""

from __future__ import annotations

from submitter.metadata.cleaner import registered
from submitter.metadata.kinds import CANONICAL_EXTENSION, EXTENSIONS, FileKind
from tests.metadata.contract import CleanerContract
from tests.metadata.contracts_index import contract_classes


def test_every_registered_kind_has_a_contract() -> None:
    covered: set[FileKind] = set()
    for cls in contract_classes():
        covered |= cls.kinds_covered
    missing = sorted(k.value for k in set(registered()) - covered)
    assert not missing, f"registered kinds without a CleanerContract subclass: {missing}"


def test_contracts_only_claim_registered_kinds() -> None:
    reg = set(registered())
    for cls in contract_classes():
        extra = cls.kinds_covered - reg
        assert not extra, f"{cls.__name__} covers unregistered {sorted(extra)}"


def test_contract_subclasses_implement_the_hooks() -> None:
    for cls in contract_classes():
        for hook in ("make_dirty", "check_opens", "check_content"):
            assert getattr(cls, hook) is not getattr(CleanerContract, hook), (
                f"{cls.__name__} does not implement {hook}"
            )


def test_registry_is_consistent() -> None:
    reg = registered()
    assert reg, "no cleaners registered"
    for kind, cleaner in reg.items():
        assert kind in cleaner.kinds
        assert isinstance(cleaner.name, str) and cleaner.name
        assert kind in EXTENSIONS and kind in CANONICAL_EXTENSION
    # One instance per cleaner class, shared by its kinds.
    by_class: dict[type, set[int]] = {}
    for cleaner in reg.values():
        by_class.setdefault(type(cleaner), set()).add(id(cleaner))
    assert all(len(ids) == 1 for ids in by_class.values())


def test_image_kinds_are_all_registered() -> None:
    images = {FileKind.JPEG, FileKind.PNG, FileKind.GIF, FileKind.TIFF, FileKind.WEBP,
              FileKind.HEIC, FileKind.AVIF}
    assert images <= set(registered())


def test_each_loader_registers_exactly_its_kinds() -> None:
    # Lazy loading must agree with what the modules claim, or a kind would
    # silently have no cleaner until some other module happened to load.
    from submitter.metadata.kinds import FileKind
    from submitter.metadata.registry import LOADERS

    assert set(LOADERS) == set(FileKind)
    everything = registered()
    for kind, loader in LOADERS.items():
        names = loader.__code__.co_names  # the module its import statement names
        claimed = {
            k for k, c in everything.items() if type(c).__module__.rsplit(".", 1)[-1] in names
        }
        assert kind in claimed, (kind, names)
