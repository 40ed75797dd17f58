"""How well the expected-register model fits England's practices: `python bench/expected_register.py`.

Prints JSON: 5-fold cross-validated R² (register counts and prevalence), median absolute error (patients
and percentage points), the same error for the naive England-rate prediction, and how many practices
fall inside their 95% interval. The numbers are written in docs/benchmarks.md.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict


def main() -> int:
    from qof_cancer.benchmark.expected import cross_validate, fit_model
    from qof_cancer.reference import load_reference

    started = time.perf_counter()
    ref = load_reference()
    model = fit_model(ref)
    fit = cross_validate(ref)
    out = {
        **{k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(fit).items()},
        "residual_q": [round(q, 3) for q in model.residual_q],
        "seconds": round(time.perf_counter() - started, 2),
    }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
