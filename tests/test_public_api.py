from types import ModuleType

import pollinate


def test_all_lists_exactly_the_public_names():
    # Submodules become attributes of the package once anything imports them; they are
    # reached by their dotted path, not re-exported, so they do not count here.
    public = {
        name
        for name, value in vars(pollinate).items()
        if not name.startswith("_") and not isinstance(value, ModuleType) and name != "annotations"
    }
    assert set(pollinate.__all__) - {"__version__"} == public


def test_every_exported_name_resolves():
    for name in pollinate.__all__:
        assert getattr(pollinate, name) is not None
