"""Performance-estimation problems (PEP) for gradient descent with any step-size schedule."""
