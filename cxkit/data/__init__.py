"""The sample company: its tables, their schemas, the loader and the seeded generator."""

from cxkit.data.load import load, load_company, sample_dir, tables

__all__ = ["load", "load_company", "sample_dir", "tables"]
