import numpy as np
import matplotlib.pyplot as plt

# Generate a symmetric positive definite matrix with condition number kappa
def generate_spd_matrix(d, kappa):
    """Create d x d SPD matrix with condition number kappa."""
    # Eigenvalues logarithmically spaced from m to L = m * kappa
    m = 1.0
    L = m * kappa
    eigenvalues = np.logspace(np.log10(m), np.log10(L), d)
    # Random orthogonal matrix via QR decomposition
    Q, _ = np.linalg.qr(np.random.randn(d, d))
    A = Q @ np.diag(eigenvalues) @ Q.T
    return A, m, L

# Vanilla gradient descent for quadratic minimization
def gradient_descent_quadratic(A, b, x0, alpha, max_iters=1000):
    """Minimize f(x) = 0.5 * x^T A x - b^T x via gradient descent."""
    x = x0.copy()
    x_star = np.linalg.solve(A, b)  # True minimum
    errors = []
    function_values = []
    
    for k in range(max_iters):
        # Compute error and function value
        error = np.linalg.norm(x - x_star)
        f_val = 0.5 * x.T @ A @ x - b.T @ x
        errors.append(error)
        function_values.append(f_val)
        
        # Gradient: nabla f(x) = A x - b
        grad = A @ x - b
        
        # Update
        x = x - alpha * grad
    
    return np.array(errors), np.array(function_values), x_star

# Run experiment
np.random.seed(42)
d = 10
kappa = 100
A, m, L = generate_spd_matrix(d, kappa)
b = np.random.randn(d)
x0 = np.zeros(d)

# Optimal step size for quadratic
alpha_opt = 2.0 / (m + L)
errors, f_vals, x_star = gradient_descent_quadratic(A, b, x0, alpha_opt, max_iters=500)

# Plot convergence on log scale
plt.figure(figsize=(12, 4))
plt.subplot(1, 2, 1)
plt.semilogy(errors)
plt.xlabel('Iteration k')
plt.ylabel('Error $\\|x_k - x^*\\|$')
plt.title('Linear Convergence on Quadratic')
plt.grid(True, alpha=0.3)

# Verify theoretical rate rho = (kappa - 1) / (kappa + 1)
rho_theory = (kappa - 1) / (kappa + 1)
theoretical_errors = errors[0] * rho_theory**np.arange(len(errors))
plt.semilogy(theoretical_errors, '--', label=f'Theory: $\\rho={rho_theory:.4f}$')
plt.legend()

plt.subplot(1, 2, 2)
plt.plot(f_vals)
plt.xlabel('Iteration k')
plt.ylabel('Function value $f(x_k)$')
plt.title('Monotonic Decrease in Function Value')
plt.grid(True, alpha=0.3)
plt.tight_layout()
plt.savefig('c1_quadratic_gd.png', dpi=150, bbox_inches='tight')
print(f"Condition number: {kappa}")
print(f"Optimal step size: {alpha_opt:.6f}")
print(f"Theoretical convergence rate rho: {rho_theory:.6f}")
print(f"Final error: {errors[-1]:.2e}")
