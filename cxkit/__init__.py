"""cxkit: find the customer at the end of your own process.

Helpers for the cxkit workshops: load the sample company, compute customer
experience metrics with their margins of error, and check your answers.
"""

from cxkit.data import load, load_company, tables
from cxkit.errors import CxkitError

__all__ = ["CxkitError", "load", "load_company", "tables"]
__version__ = "0.1.0"
