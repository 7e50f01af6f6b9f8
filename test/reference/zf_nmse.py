#!/usr/bin/env python3
"""Independent numpy reference for the zero-forcing AirComp NMSE (test/phy.reference.test.ts).

Setting: K devices with N_t antennas, a server with N_r antennas, S streams, one subcarrier,
i.i.d. Rayleigh CN(0, 1) entries, equal weights phi_k = 1/K, per-subcarrier power budget P = 1,
noise variance sigma^2 = 10^(-SNR/10). Zero-forcing design (written from the formulas, not from the
TypeScript code): F = the S dominant eigenvectors of sum_k H_k H_k^H; A_k = F^H H_k;
t_k = tr[(A_k A_k^H)^-1]; eta = max_k phi_k^2 t_k / P; the aggregate MSE per symbol vector is
sigma^2 S eta (no misalignment with perfect CSI), and the NMSE per complex symbol is
sigma^2 eta / sum_k phi_k^2 (the expectation given the channel).

Usage:
  zf_nmse.py --independent N [--seed S]      N channel draws of its own: median NMSE (dB) and its
                                             95% order-statistic interval
  zf_nmse.py --channels FILE --trials N      the channels the TypeScript run used (float64, layout
                                             trial, k, r, c, re/im): per-trial NMSE (linear)
Prints one JSON object.
"""
import argparse
import json
import math
import sys

import numpy as np


def zf_nmse(H, snr_db, S):
    """H: (trials, K, Nr, Nt) complex. Per-trial conditional NMSE of zero-forcing (linear)."""
    trials, K, Nr, Nt = H.shape
    phi = np.full(K, 1.0 / K)
    sigma2 = 10.0 ** (-snr_db / 10.0)
    G = np.einsum('tkrc,tksc->trs', H, H.conj())  # sum_k H H^H
    w, v = np.linalg.eigh(G)  # ascending
    F = v[:, :, ::-1][:, :, :S]  # (trials, Nr, S)
    A = np.einsum('trs,tkrc->tksc', F.conj(), H)  # F^H H_k: (trials, K, S, Nt)
    AAh = A @ A.conj().transpose(0, 1, 3, 2)
    t = np.trace(np.linalg.inv(AAh), axis1=2, axis2=3).real  # (trials, K)
    eta = np.max(phi[None, :] ** 2 * t, axis=1)  # P = 1
    return sigma2 * eta / np.sum(phi ** 2)


def median_interval(x):
    """Median and its 95% order-statistic interval (normal approximation to Binomial(n, 1/2))."""
    x = np.sort(x)
    n = len(x)
    med = float(np.median(x))
    half = 0.5 * 1.959963984540054 * math.sqrt(n)
    lo = max(1, int(math.floor(n / 2 - half)))
    hi = min(n, int(math.ceil(n / 2 + half + 1)))
    return med, float(x[lo - 1]), float(x[hi - 1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--independent', type=int)
    ap.add_argument('--seed', type=int, default=2026)
    ap.add_argument('--channels')
    ap.add_argument('--trials', type=int)
    ap.add_argument('--K', type=int, default=8)
    ap.add_argument('--Nt', type=int, default=4)
    ap.add_argument('--Nr', type=int, default=8)
    ap.add_argument('--S', type=int, default=2)
    ap.add_argument('--snr', type=float, default=10.0)
    a = ap.parse_args()
    K, Nt, Nr, S = a.K, a.Nt, a.Nr, a.S
    if a.independent:
        rng = np.random.default_rng(a.seed)
        out = {}
        med, lo, hi = [], [], []
        nmse = np.empty(0)
        for _ in range((a.independent + 9999) // 10000):
            n = min(10000, a.independent - len(nmse))
            H = (rng.standard_normal((n, K, Nr, Nt)) + 1j * rng.standard_normal((n, K, Nr, Nt))) / math.sqrt(2)
            nmse = np.concatenate([nmse, zf_nmse(H, a.snr, S)])
        m, l, h = median_interval(nmse)
        out = {'n': len(nmse), 'median_db': 10 * math.log10(m), 'low_db': 10 * math.log10(l), 'high_db': 10 * math.log10(h)}
    else:
        raw = np.fromfile(a.channels, dtype='<f8')
        H = raw.reshape(a.trials, K, Nr, Nt, 2)
        H = H[..., 0] + 1j * H[..., 1]
        out = {'nmse': zf_nmse(H, a.snr, S).tolist()}
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
