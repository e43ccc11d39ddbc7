"""Human labels of the evidence keys: the results hold identifiers (verify/schema), the PDF shows these."""

from __future__ import annotations

# Every key of verify/schema/results.schema.json has a label (tests/test_schema.py checks it); a key not
# listed (hand-written or older results) is shown as it stands, in monospace.
LABELS: dict[str, str] = {
    # results and errors
    "id": "id", "verdict": "verdict", "expect": "expected verdict", "summary": "summary", "kind": "kind",
    "statement": "statement", "source": "source", "file": "file", "evidence": "evidence",
    "book_answer": "the book's answer",
    "section": "section",
    "reconstructed": "formula reconstructed",
    "seconds": "seconds", "error": "error", "field": "field", "cap": "cap", "message": "message",
    # how and why
    "method": "method", "method_note": "note on the method", "reason": "why undecided",
    "decision": "decision", "proof": "proof", "samples": "sampled", "points": "points", "target": "target",
    "smt_solver": "SMT solver", "smt_status": "SMT answer (on the negation)", "smt_query": "SMT-LIB query",
    "smt_seconds": "SMT seconds", "smt_reason": "SMT: no verdict because",
    # the claim as checked
    "expr": "expression", "value": "claimed value", "relation": "relation", "lhs": "left-hand side",
    "rhs": "right-hand side", "difference": "difference", "rounding": "rounding rule",
    "interval": "accepted interval", "where": "where", "bound": "claimed bound", "quantity": "quantity",
    "variables": "variables", "f": "f", "class": "function class", "initial": "initial condition",
    "metric": "metric", "steps": "steps", "H": "step matrix H", "N": "N", "K": "K", "L": "L", "m": "m",
    "alpha": "alpha",
    "beta": "beta", "lambda": "lambda", "x": "x", "g": "g", "a": "a", "b": "b", "c": "c", "k": "k",
    "x0": "x0", "tau": "tau", "alpha0": "alpha0", "f_star": "f*", "step": "step", "momentum": "momentum",
    "max_backtracks": "max backtracks", "name": "name",
    # values
    "values": "values", "value_values": "values of the claimed value", "exact": "exact", "float64": "float64",
    "mpmath": "mpmath", "digits": "digits", "discrepancy": "float64 vs mpmath discrepancy",
    "lhs_minus_rhs": "lhs - rhs", "exact_value": "exact value",
    "exact_value_50_digits": "exact value (50 digits)", "exact_value_note": "no exact value because",
    "value_50_digits": "value (50 digits)", "computed": "computed",
    "computed_50_digits": "computed (50 digits)",
    # witnesses
    "witness": "witness", "witness_check": "witness re-checked", "printed": "printed", "entry": "entry",
    "dimension": "dimension", "gradients": "gradients", "function_values": "function values",
    "parameters": "parameters", "basis": "basis", "lhs_gram": "lhs (Gram form)",
    "rhs_gram": "rhs (Gram form)", "excess_gram": "must be <= 0 (Gram form)",
    "expectations": "expectations evaluated", "call": "call", "closed_form": "closed form",
    "quadrature": "quadrature", "quadrature_note": "no quadrature because",
    # machine arithmetic
    "arithmetic": "arithmetic", "result": "machine result", "result_exact": "machine result (exact binary)",
    "numpy_result": "numpy's result", "numpy_agrees": "numpy agrees", "numpy_differs": "numpy differs at",
    "libraries": "libraries", "numpy": "numpy", "ml_dtypes": "ml_dtypes", "operations": "operations",
    "operations_omitted": "operations not shown", "op": "operation", "args": "arguments",
    "computed_by": "computed by",
    # quadratic and momentum
    "profiles": "sign profiles", "upper_enclosure": "upper enclosure", "pieces": "pieces",
    "worst_case": "worst case found", "worst_rate": "worst rate", "attained_at_lambda": "attained at lambda",
    "rho_at_m": "spectral radius at m", "rho_at_m_case": "case at m", "rho_at_L": "spectral radius at L",
    "rho_at_L_case": "case at L", "quadratic": "quadratic", "run_50_digits": "re-run (50 digits)",
    "run_excess_50_digits": "re-run value - bound (50 digits)", "iteration_matrix": "iteration matrix",
    "characteristic_polynomial": "characteristic polynomial", "spectral_radius": "spectral radius",
    "spectral_radius_50_digits": "spectral radius (50 digits)", "distance_ratio": "distance ratio",
    "function_gap_ratio": "function-gap ratio", "gradient_ratio": "gradient ratio",
    # rate and the PEP
    "bound_normalized": "bound / scale (normalized, L = 1, initial 1)",
    "bound_crosscheck": "bound at R = D = G = 1, float64 vs 50 digits",
    "certified_bound": "certified normalized bound", "interpolation_pairs": "interpolation pairs",
    "solver": "solver", "solver_status": "solver status", "solver_residuals": "solver residuals",
    "solver_worst_case": "solver worst case (normalized)", "build_seconds": "build seconds",
    "solve_seconds": "solve seconds", "series": "series", "plot": "plot", "type": "type",
    "primal": "primal residual", "dual": "dual residual", "gap": "gap",
    "primal_violation": "primal violation", "min_eig_G": "smallest eigenvalue of G",
    "dual_F_residual": "dual residual on F", "min_multiplier": "smallest multiplier",
    "min_eig_S": "smallest eigenvalue of S", "certificate_attempt": "certificate attempt", "ok": "found",
    "check_seconds": "exact check seconds", "certificate": "certificate",
    "certificate_stats": "certificate file", "size_bytes": "size (bytes)",
    "max_denominator_digits": "largest denominator (digits)", "recheck": "re-check with",
    "counterexample": "counterexample", "counterexample_kind": "counterexample kind",
    "class_membership": "in the class because", "membership": "in the class because",
    "ratio_enclosure": "||x_N - x*||^2 / ||x_0 - x*||^2 lies in",
    "why_no_certificate": "why no certificate", "metric_value": "metric value",
    "metric_exact": "metric (exact)", "metric_50_digits": "metric (50 digits)", "excess": "excess",
    "margin": "margin", "candidates_tried": "candidates tried", "formula": "formula", "domain": "domain",
    "iterates": "iterates", "x_star": "x*", "checks": "checks", "function": "function",
    # class inequalities
    "normalized_form": "normalized form", "parametric_multipliers": "multipliers (functions of q)",
    "parametric_checks": "parametric checks", "parametric_reason": "no parametric certificate because",
    "at_sample": "at the sample", "identity": "identity", "multipliers": "multipliers", "psd": "PSD",
    "witness_family": "witness family", "violation": "violation",
    "for_every_parameter": "for every parameter", "instance": "instance",
    "instance_violation": "violation at the instance",
    # function
    "at": "at", "direction": "direction", "gradient": "gradient", "hessian": "Hessian", "inertia": "inertia",
    "positive": "positive", "negative": "negative", "zero": "zero", "second_order": "second-order test",
    "classification_reason": "classified because", "start": "start", "tolerance": "tolerance",
    "criterion": "criterion", "box": "box", "gradient_at_claimed_point": "gradient at the claimed point",
    "attained_at": "attained at", "point": "point", "matrix": "matrix", "minor": "principal minor",
    "rows": "rows", "hessian_norm": "Hessian norm", "hessian_norm_50_digits": "Hessian norm (50 digits)",
    "stationary_point_not_listed": "stationary point not listed", "note": "note",
    # program
    "program": "program", "expected_output": "expected output", "actual_output": "actual output",
    "return_code": "return code", "stderr_tail": "standard error (end)", "python": "Python",
    "seconds_limit": "time limit (s)", "memory_mb": "memory limit (MB)", "mismatches": "mismatches",
    "expected": "expected", "actual": "actual",
    # proof
    "theorem": "theorem", "proof_reason": "proof verdict because", "chain": "chain", "joint": "joint",
    "by": "by", "broken_step_witness": "witness of the broken step", "proof_expectation": "expected proof",
    "met": "met",
}


def label(key: str) -> str | None:
    """The human label of an evidence key, or None for a key the report does not know."""
    return LABELS.get(key)
