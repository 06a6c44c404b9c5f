"""cxkit.metrics as one package: every family's helpers offered from it and from cxkit."""

from __future__ import annotations

import importlib
import inspect

import cxkit
import cxkit.metrics

FAMILIES = ("survey", "operations", "finance", "compare")


def _helpers(module_name: str) -> set[str]:
    """The public functions a family module defines itself (not those it imports)."""
    module = importlib.import_module(f"cxkit.metrics.{module_name}")
    return {
        name
        for name, value in vars(module).items()
        if inspect.isfunction(value)
        and value.__module__ == module.__name__
        and not name.startswith("_")
    }


def test_cxkit_metrics_offers_every_family_helper_and_nothing_else():
    """Does cxkit.metrics re-export exactly the families' helpers, as the same objects?"""
    families = {family: _helpers(family) for family in FAMILIES}
    everything = set().union(*families.values())
    assert sum(len(names) for names in families.values()) == len(everything) == 22
    assert set(cxkit.metrics.__all__) - {"By", "Scores"} == everything
    for family, names in families.items():
        module = importlib.import_module(f"cxkit.metrics.{family}")
        for name in names:
            assert getattr(cxkit.metrics, name) is getattr(module, name)


def test_cxkit_exports_each_metric_from_cxkit_metrics():
    """Does `import cxkit` list every metric under cxkit.metrics, so cxkit.nps keeps working?"""
    assert set(cxkit._EXPORTS["cxkit.metrics"]) == set(cxkit.metrics.__all__) - {"By", "Scores"}
    assert cxkit.nps is cxkit.metrics.survey.nps
    assert cxkit.dso_trend is cxkit.metrics.finance.dso_trend
