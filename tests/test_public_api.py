import pollinate


def test_all_lists_exactly_the_public_names():
    public = {name for name in vars(pollinate) if not name.startswith("_")}
    public.discard("annotations")
    modules = {"core", "errors"}
    assert set(pollinate.__all__) - {"__version__"} == public - modules


def test_every_exported_name_resolves():
    for name in pollinate.__all__:
        assert getattr(pollinate, name) is not None
