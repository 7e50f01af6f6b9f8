#!/usr/bin/env python3
"""Independent PyTorch reference for airlora's Hugging Face loaders (test/models.hf.test.ts).

Plain torch, written from Hugging Face transformers' modelling conventions (transformers itself is
not installed): GPT2LMHeadModel, LlamaForCausalLM / Qwen2 / Mistral, BertForSequenceClassification
and BertForMaskedLM. Reads the model folder's config.json and safetensors files (own reader, F32 /
F16 / BF16, sharded index), computes in float64, and prints JSON {loss, logits}.

usage: hf_forward.py MODEL_DIR INPUT_JSON   |   hf_forward.py --jobs JOBS_JSON ([{dir, input}], one JSON line each)
INPUT_JSON: {"task": "causal-lm" | "sequence-classification" | "masked-lm", "ids": [[...]],
             "mask": [[...]]?, "segments": [[...]]?, "labels": [...]?, "adapter": DIR?}
causal-lm: mean next-token cross-entropy of ids[:, 1:] given the prefix (HF's shift).
sequence-classification: mean cross-entropy of labels.  masked-lm: labels [[...]] with -100 = ignore.
adapter: a PEFT LoRA folder (adapter_config.json + adapter_model.safetensors) merged into the weights.
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F

DT = torch.float64


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        b, e = v["data_offsets"]
        raw = bytearray(data[b:e])
        dtype = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}[v["dtype"]]
        t = torch.frombuffer(raw, dtype=dtype) if len(raw) else torch.zeros(0, dtype=dtype)
        out[k] = t.reshape(v["shape"]).to(DT)
    return out


def load_weights(d):
    idx = os.path.join(d, "model.safetensors.index.json")
    if os.path.exists(idx):
        w = {}
        for f in sorted(set(json.load(open(idx))["weight_map"].values())):
            w.update(read_safetensors(os.path.join(d, f)))
        return w
    return read_safetensors(os.path.join(d, "model.safetensors"))


def getter(w, prefixes):
    def g(name):
        for p in prefixes:
            if p + name in w:
                return w[p + name]
        raise KeyError(name)
    return g


def merge_peft(w, adapter_dir, conv1d):
    """W += (alpha/r) * B @ A for every adapted module (transposed for GPT-2's Conv1D: fan_in_fan_out)."""
    cfg = json.load(open(os.path.join(adapter_dir, "adapter_config.json")))
    ad = read_safetensors(os.path.join(adapter_dir, "adapter_model.safetensors"))
    scale = cfg["lora_alpha"] / cfg["r"]
    for k, a in ad.items():
        if ".lora_A." not in k and ".lora_B." not in k:
            w[k[len("base_model.model."):]] = a  # modules_to_save (e.g. the classifier head)
            continue
        if not k.endswith(".lora_A.weight"):
            continue
        mod = k[len("base_model.model."):-len(".lora_A.weight")]
        b = ad[k.replace("lora_A", "lora_B")]
        delta = scale * (b @ a)  # [out, in]
        key = mod + ".weight"
        if conv1d:
            delta = delta.T
        w[key] = w[key] + delta


def causal_mask(T):
    return torch.triu(torch.full((T, T), torch.finfo(DT).min, dtype=DT), diagonal=1)


def attn(q, k, v, mask):
    # q [S, H, T, dh], k/v [S, H, T, dh]
    dh = q.shape[-1]
    s = q @ k.transpose(-1, -2) / math.sqrt(dh)
    if mask is not None:
        s = s + mask
    return torch.softmax(s, dim=-1) @ v


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def gpt2(cfg, w, ids):
    g = getter(w, ["transformer.", ""])
    S, T = ids.shape
    d, H = cfg["n_embd"], cfg["n_head"]
    eps = cfg.get("layer_norm_epsilon", 1e-5)
    act = gelu_new if cfg.get("activation_function", "gelu_new") == "gelu_new" else F.gelu
    h = g("wte.weight")[ids] + g("wpe.weight")[torch.arange(T)]
    mask = causal_mask(T)

    def conv1d(x, name):
        return x @ g(name + ".weight") + g(name + ".bias")

    for l in range(cfg["n_layer"]):
        p = f"h.{l}."
        x = F.layer_norm(h, (d,), g(p + "ln_1.weight"), g(p + "ln_1.bias"), eps)
        q, k, v = conv1d(x, p + "attn.c_attn").split(d, dim=2)
        sh = lambda t: t.view(S, T, H, d // H).transpose(1, 2)
        o = attn(sh(q), sh(k), sh(v), mask).transpose(1, 2).reshape(S, T, d)
        h = h + conv1d(o, p + "attn.c_proj")
        x = F.layer_norm(h, (d,), g(p + "ln_2.weight"), g(p + "ln_2.bias"), eps)
        h = h + conv1d(act(conv1d(x, p + "mlp.c_fc")), p + "mlp.c_proj")
    h = F.layer_norm(h, (d,), g("ln_f.weight"), g("ln_f.bias"), eps)
    return h @ g("wte.weight").T


def rms(x, wt, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * wt


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def inv_freq(cfg, dh):
    theta = cfg.get("rope_theta", 10000.0)
    inv = 1.0 / (theta ** (torch.arange(0, dh, 2, dtype=torch.int64).to(DT) / dh))
    rs = cfg.get("rope_scaling")
    if rs:
        t = rs.get("rope_type", rs.get("type"))
        if t == "linear":
            inv = inv / rs["factor"]
        elif t == "llama3":
            factor, lo, hi = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
            old = rs["original_max_position_embeddings"]
            low_wave, high_wave = old / lo, old / hi
            wave = 2 * math.pi / inv
            out = torch.where(wave > low_wave, inv / factor, inv)
            smooth = (old / wave - lo) / (hi - lo)
            smoothed = (1 - smooth) * out / factor + smooth * out
            medium = ~(wave < high_wave) * ~(wave > low_wave)
            inv = torch.where(medium, smoothed, out)
    return inv


def llama(cfg, w, ids):
    mt = cfg["model_type"]
    g = getter(w, ["model.", ""])
    S, T = ids.shape
    d, H = cfg["hidden_size"], cfg["num_attention_heads"]
    Hkv = cfg.get("num_key_value_heads") or H
    dh = cfg.get("head_dim") or d // H
    eps = cfg.get("rms_norm_eps", 1e-6)
    freqs = torch.outer(torch.arange(T, dtype=DT), inv_freq(cfg, dh))
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    mask = causal_mask(T)

    def lin(x, name):
        b = None
        for p in ["model.", ""]:
            if p + name + ".bias" in w:
                b = w[p + name + ".bias"]
                break
        return F.linear(x, g(name + ".weight"), b)

    h = g("embed_tokens.weight")[ids]
    for l in range(cfg["num_hidden_layers"]):
        p = f"layers.{l}."
        x = rms(h, g(p + "input_layernorm.weight"), eps)
        q = lin(x, p + "self_attn.q_proj").view(S, T, H, dh).transpose(1, 2)
        k = lin(x, p + "self_attn.k_proj").view(S, T, Hkv, dh).transpose(1, 2)
        v = lin(x, p + "self_attn.v_proj").view(S, T, Hkv, dh).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = H // Hkv
        k = k[:, :, None].expand(S, Hkv, rep, T, dh).reshape(S, H, T, dh)
        v = v[:, :, None].expand(S, Hkv, rep, T, dh).reshape(S, H, T, dh)
        o = attn(q, k, v, mask).transpose(1, 2).reshape(S, T, H * dh)
        h = h + lin(o, p + "self_attn.o_proj")
        x = rms(h, g(p + "post_attention_layernorm.weight"), eps)
        h = h + lin(F.silu(lin(x, p + "mlp.gate_proj")) * lin(x, p + "mlp.up_proj"), p + "mlp.down_proj")
    h = rms(h, g("norm.weight"), eps)
    head = w["lm_head.weight"] if "lm_head.weight" in w and not cfg.get("tie_word_embeddings", False) else g("embed_tokens.weight")
    assert mt in ("llama", "qwen2", "mistral")
    return h @ head.T


def bert_body(cfg, w, ids, mask, seg):
    g = getter(w, ["bert.", ""])
    S, T = ids.shape
    d, H = cfg["hidden_size"], cfg["num_attention_heads"]
    eps = cfg.get("layer_norm_eps", 1e-12)
    act = F.gelu if cfg.get("hidden_act", "gelu") == "gelu" else gelu_new

    def ln(x, name):
        return F.layer_norm(x, (d,), g(name + ".weight"), g(name + ".bias"), eps)

    def lin(x, name):
        return F.linear(x, g(name + ".weight"), g(name + ".bias"))

    h = g("embeddings.word_embeddings.weight")[ids] + g("embeddings.position_embeddings.weight")[torch.arange(T)] \
        + g("embeddings.token_type_embeddings.weight")[seg]
    h = ln(h, "embeddings.LayerNorm")
    ext = (1.0 - mask[:, None, None, :]) * torch.finfo(DT).min
    sh = lambda t: t.view(S, T, H, d // H).transpose(1, 2)
    for l in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{l}."
        q, k, v = (sh(lin(h, p + "attention.self." + n)) for n in ("query", "key", "value"))
        o = attn(q, k, v, ext).transpose(1, 2).reshape(S, T, d)
        h = ln(h + lin(o, p + "attention.output.dense"), p + "attention.output.LayerNorm")
        h = ln(h + lin(act(lin(h, p + "intermediate.dense")), p + "output.dense"), p + "output.LayerNorm")
    return h, g, act, ln, lin


def run(d, inp):
    cfg = json.load(open(os.path.join(d, "config.json")))
    w = load_weights(d)
    mt = cfg["model_type"]
    if inp.get("adapter"):
        merge_peft(w, inp["adapter"], conv1d=(mt == "gpt2"))
    ids = torch.tensor(inp["ids"], dtype=torch.long)
    task = inp["task"]
    if task == "causal-lm":
        logits = gpt2(cfg, w, ids) if mt == "gpt2" else llama(cfg, w, ids)
        V = logits.shape[-1]
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, V), ids[:, 1:].reshape(-1))
    else:
        mask = torch.tensor(inp.get("mask") or [[1] * ids.shape[1]] * ids.shape[0], dtype=DT)
        seg = torch.tensor(inp.get("segments") or [[0] * ids.shape[1]] * ids.shape[0], dtype=torch.long)
        h, g, act, ln, lin = bert_body(cfg, w, ids, mask, seg)
        if task == "sequence-classification":
            pooled = torch.tanh(lin(h[:, 0], "pooler.dense"))
            logits = F.linear(pooled, w["classifier.weight"], w["classifier.bias"])
            loss = F.cross_entropy(logits, torch.tensor(inp["labels"], dtype=torch.long))
        else:
            t = act(F.linear(h, w["cls.predictions.transform.dense.weight"], w["cls.predictions.transform.dense.bias"]))
            t = F.layer_norm(t, (t.shape[-1],), w["cls.predictions.transform.LayerNorm.weight"],
                             w["cls.predictions.transform.LayerNorm.bias"], cfg.get("layer_norm_eps", 1e-12))
            logits = t @ g("embeddings.word_embeddings.weight").T + w["cls.predictions.bias"]
            V = logits.shape[-1]
            loss = F.cross_entropy(logits.reshape(-1, V), torch.tensor(inp["labels"], dtype=torch.long).reshape(-1), ignore_index=-100)
    return {"loss": loss.item(), "logits": logits.reshape(-1).tolist()}


def main():
    if sys.argv[1] == "--jobs":
        for job in json.load(open(sys.argv[2])):
            print(json.dumps(run(job["dir"], job["input"])))
    else:
        print(json.dumps(run(sys.argv[1], json.load(open(sys.argv[2])))))


if __name__ == "__main__":
    main()
