#!/usr/bin/env python3
"""PyTorch reference for bench `train.lm.gpt2_small.tokens_per_s` (bench/train.bench.ts).

One LoRA fine-tuning step (forward, backward, Adam) of the same GPT-2-small-shaped model that the
airlora bench trains: vocabulary 50,257, width 768, 12 layers, 12 heads, MLP 3,072, learned
positions, pre-norm blocks, GELU (tanh form), tied output head; batch 4 x 128 tokens; LoRA r = 8,
alpha = 16 on the attention's query and value (separate q/k/v projections, as airlora's model),
base weights frozen, random init, random tokens. Same FLOP count as the airlora step.

Threads: THREADS (default 2) for torch intra-op and for the BLAS it calls (set before import).
Prints one JSON line: tokens_per_s (median step), ms_per_step, steps, gflop_per_step, gflops,
and the float32 GEMM rate of torch.mm at the step's largest shapes.

  /usr/bin/python3 bench/reference/gpt2_lora_step.py            # Debian python3-torch
  THREADS=1 STEPS=5 /usr/bin/python3 bench/reference/gpt2_lora_step.py
"""
import json
import math
import os
import statistics
import sys
import time

THREADS = int(os.environ.get("THREADS", "2"))
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(THREADS)

import torch  # noqa: E402

V, D, L, H, FF, B, T, R, ALPHA = 50257, 768, 12, 12, 3072, 4, 128, 8, 16


class LoraLinear(torch.nn.Module):
    def __init__(self, din, dout, r=0):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(din, dout) * 0.02, requires_grad=False)
        self.bias = torch.nn.Parameter(torch.zeros(dout), requires_grad=False)
        self.r = r
        if r:
            # PEFT's init: A random, B zero; scale alpha / r.
            self.A = torch.nn.Parameter(torch.randn(din, r) / r)
            self.B = torch.nn.Parameter(torch.zeros(r, dout))
            self.scale = ALPHA / r

    def forward(self, x):
        y = torch.addmm(self.bias, x, self.weight)
        if self.r:
            y = y + ((x @ self.A) * self.scale) @ self.B
        return y


def gelu(x):
    return torch.nn.functional.gelu(x, approximate="tanh")


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = torch.nn.LayerNorm(D, eps=1e-5)
        self.ln2 = torch.nn.LayerNorm(D, eps=1e-5)
        for ln in (self.ln1, self.ln2):
            ln.requires_grad_(False)
        self.q, self.k, self.v = LoraLinear(D, D, R), LoraLinear(D, D), LoraLinear(D, D, R)
        self.o = LoraLinear(D, D)
        self.fc, self.proj = LoraLinear(D, FF), LoraLinear(FF, D)

    def forward(self, h, mask):
        x = self.ln1(h)
        split = lambda t: t.view(B, T, H, D // H).transpose(1, 2)  # noqa: E731
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        s = (q @ k.transpose(-1, -2)) * (1 / math.sqrt(D // H)) + mask
        a = (torch.softmax(s, -1) @ v).transpose(1, 2).reshape(B * T, D)
        h = h + self.o(a)
        return h + self.proj(gelu(self.fc(self.ln2(h))))


class Gpt(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = torch.nn.Parameter(torch.randn(V, D) * 0.02, requires_grad=False)
        self.wpe = torch.nn.Parameter(torch.randn(1024, D) * 0.01, requires_grad=False)
        self.blocks = torch.nn.ModuleList(Block() for _ in range(L))
        self.lnf = torch.nn.LayerNorm(D, eps=1e-5).requires_grad_(False)
        self.register_buffer("mask", torch.triu(torch.full((T, T), -1e9), 1))

    def forward(self, tokens):
        h = (self.wte[tokens] + self.wpe[:T]).reshape(B * T, D)
        for blk in self.blocks:
            h = blk(h, self.mask)
        return self.lnf(h) @ self.wte.t()


def step_flops():
    """Matrix-product FLOPs of one step: forward, plus activation gradients and LoRA gradients backward."""
    n = B * T
    linear = L * (4 * 2 * n * D * D + 2 * 2 * n * D * FF)
    attn = L * 2 * 2 * n * T * D
    head = 2 * n * D * V
    lora_fwd = L * 2 * (2 * n * D * R + 2 * n * R * D)
    fwd = linear + attn + head + lora_fwd
    # Backward: dX of every linear and the head (frozen weights get no gradient), attention x2,
    # LoRA: dX through A and B and dA, dB (2 products each); the first layer's input needs no
    # gradient (frozen embeddings): no query/key/value input products there.
    bwd = linear + 2 * attn + head + 2 * lora_fwd - 3 * 2 * n * D * D
    return fwd + bwd


def gemm_gflops(m, k, n, reps=5):
    a, b = torch.randn(m, k), torch.randn(k, n)
    torch.mm(a, b)
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        torch.mm(a, b)
        times.append(time.perf_counter() - t0)
    return 2 * m * k * n / statistics.median(times) / 1e9


def main():
    torch.set_num_threads(THREADS)
    torch.manual_seed(1)
    model = Gpt()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=1e-4)
    data = torch.randint(0, V, (B, T + 1))
    x, y = data[:, :T], data[:, 1:].reshape(-1)
    steps = int(os.environ.get("STEPS", "5"))
    times, cpu = [], []
    for i in range(steps + 1):
        t0, c0 = time.perf_counter(), time.process_time()
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        if i > 0:  # the first step allocates and warms up
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    ms = statistics.median(times) * 1e3
    gf = step_flops() / 1e9
    out = {
        "name": "reference.torch.gpt2_small.tokens_per_s",
        "torch": torch.__version__,
        "threads": THREADS,
        "steps": steps,
        "tokens_per_s": B * T / (ms / 1e3),
        "ms_per_step": ms,
        "ms_per_step_min": min(times) * 1e3,
        "cpu_ms_per_step": statistics.median(cpu) * 1e3,
        "gflop_per_step": gf,
        "gflops": gf / (ms / 1e3),
        "loss": loss.item(),
        "gemm_gflops_512x768x3072": gemm_gflops(B * T, D, FF),
        "gemm_gflops_512x768x50257": gemm_gflops(B * T, D, V, reps=3),
    }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
