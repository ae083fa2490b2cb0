"""numpy and torch for the PyTorch cross-checks (Debian's python3-numpy and python3-torch).

`from needs_torch import np, torch` gives both, or ends the script: skipped (exit 77) where they
cannot be imported, or failed (exit 1) under CI=true, where a skipped check would hide that it
never ran.
"""
import os
import sys

try:
    import numpy as np
    import torch
except ImportError as e:
    why = "%s: %s cannot import numpy and torch (Debian's python3-numpy and python3-torch)" % (e, sys.executable)
    if os.environ.get("CI") == "true":
        print("FAIL: " + why + "; CI=true, where a skipped check is a failure")
        sys.exit(1)
    print("skipped: " + why)
    sys.exit(77)

__all__ = ["np", "torch"]
