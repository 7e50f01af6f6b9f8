"""Independent reference for src/phy/aircomp/symbol-eta.ts: the per-OFDM-symbol η allocation

    min_x  sum_m 1/x_m   s.t.  sum_m c[k,m] x_m <= B  (every k),  x > 0      (eta_m = 1/x_m)

solved by a log-barrier interior-point method with damped Newton steps (numpy only), not by the KKT
fixed point the TypeScript uses. Reads JSON {"cases": [{"c": [[...], ...], "B": b}, ...]} on stdin,
prints {"eta": [[...], ...], "objective": [...]} (objective = sum_m eta_m).
"""
import json
import sys

import numpy as np


def solve(c, B):
    c = np.asarray(c, dtype=float)
    K, M = c.shape
    active = c.sum(axis=1) > 0
    c = c[active]
    # strictly feasible start: the common eta with 2x headroom
    common = c.sum(axis=1).max() / B
    x = np.full(M, 1.0 / (2.0 * common))

    def value(x, t):
        slack = B - c @ x
        if np.any(x <= 0) or np.any(slack <= 0):
            return np.inf
        return t * np.sum(1.0 / x) - np.sum(np.log(slack)) - np.sum(np.log(x))

    def parts(x, t):
        slack = B - c @ x
        f = value(x, t)
        g = t * (-1.0 / x**2) + c.T @ (1.0 / slack) - 1.0 / x
        H = np.diag(t * 2.0 / x**3 + 1.0 / x**2) + (c.T * (1.0 / slack**2)) @ c
        return f, g, H, slack

    t = 1.0
    for _ in range(60):
        for _ in range(100):
            f, g, H, _ = parts(x, t)
            dx = -np.linalg.solve(H, g)
            dec = -g @ dx
            if dec / 2 < 1e-14:
                break
            s = 1.0
            while True:
                xn = x + s * dx
                if value(xn, t) <= f - 0.25 * s * dec:
                    break
                s *= 0.5
                if s < 1e-20:
                    break
            x = xn
        if (K + M) / t < 1e-13 * np.sum(1.0 / x):
            break
        t *= 8.0
    return 1.0 / x


def main():
    data = json.load(sys.stdin)
    etas, objs = [], []
    for case in data["cases"]:
        eta = solve(case["c"], case["B"])
        etas.append(eta.tolist())
        objs.append(float(eta.sum()))
    json.dump({"eta": etas, "objective": objs}, sys.stdout)


if __name__ == "__main__":
    main()
