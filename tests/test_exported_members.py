"""The public API: a sorted __all__ whose names all exist."""

import rackplan


def test_all_is_sorted_and_complete():
    assert rackplan.__all__ == sorted(rackplan.__all__)
    for name in rackplan.__all__:
        assert hasattr(rackplan, name), name


def test_errors_share_one_base():
    for cls in (rackplan.CatalogError, rackplan.ScenarioError, rackplan.InfeasibleError,
                rackplan.InputError):
        assert issubclass(cls, rackplan.RackplanError)
