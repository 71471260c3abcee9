#!/usr/bin/env python3
"""A GPU load shaped like batched LLM decoding, for checking greenroute's NVML
meter on a machine with an NVIDIA GPU (greenroute's own engine is CPU-only).

It runs the matrix work of Llama-3.2-1B decode steps (16 layers, d_model 2048,
GQA 32/8 heads, FFN 8192, vocab 128256; random bf16 weights, attention over a
fixed-length KV cache) for a batch of B sequences, and prints one JSON line with
the tokens produced and the wall time. It is a *load*, not a model: the tokens
are not text. Energy comes from the meter wrapping it, e.g.

  greenroute power measure --meter nvml --interval-ms 50 --json -- \
      python3 bench/gpu/llama_shaped_decode.py --batch 4 --steps 256

Needs PyTorch with CUDA (present on the lent GPU machines, not in CI).
"""
import argparse
import json
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--steps", type=int, default=256, help="decode steps (tokens per sequence)")
    ap.add_argument("--seconds", type=float, default=0.0,
                    help="instead of --steps, decode for this long (so start-up is a small part of a measurement)")
    ap.add_argument("--context", type=int, default=512, help="KV cache length attended to")
    ap.add_argument("--layers", type=int, default=16)
    args = ap.parse_args()
    if args.batch < 1 or args.steps < 1 or args.context < 1 or args.layers < 1:
        print("llama_shaped_decode: --batch, --steps, --context and --layers must be >= 1", file=sys.stderr)
        return 2
    try:
        import torch
    except ImportError:
        print("llama_shaped_decode: PyTorch is not installed", file=sys.stderr)
        return 1
    if not torch.cuda.is_available():
        print("llama_shaped_decode: no CUDA device", file=sys.stderr)
        return 1

    dev, dt = "cuda", torch.bfloat16
    d, ffn, heads, kv_heads, vocab = 2048, 8192, 32, 8, 128256
    head_dim = d // heads
    g = torch.Generator(device=dev).manual_seed(0)

    def w(*shape):
        return (torch.randn(*shape, device=dev, dtype=dt, generator=g) * 0.02)

    layers = [dict(q=w(d, d), k=w(d, kv_heads * head_dim), v=w(d, kv_heads * head_dim), o=w(d, d),
                   gate=w(d, ffn), up=w(d, ffn), down=w(ffn, d),
                   kc=w(args.batch, kv_heads, args.context, head_dim),
                   vc=w(args.batch, kv_heads, args.context, head_dim)) for _ in range(args.layers)]
    out_w = w(d, vocab)
    x0 = w(args.batch, d)

    def step(x):
        for L in layers:
            q = (x @ L["q"]).view(args.batch, heads, 1, head_dim)
            k = L["kc"].repeat_interleave(heads // kv_heads, dim=1)
            v = L["vc"].repeat_interleave(heads // kv_heads, dim=1)
            a = torch.nn.functional.scaled_dot_product_attention(q, k, v)
            x = x + a.reshape(args.batch, d) @ L["o"]
            x = x + (torch.nn.functional.silu(x @ L["gate"]) * (x @ L["up"])) @ L["down"]
        logits = x @ out_w
        return x, torch.argmax(logits, dim=-1)

    with torch.inference_mode():
        step(x0)  # warm-up: kernel selection and allocation
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        x = x0
        steps = 0
        while (steps < args.steps) if args.seconds <= 0 else (time.perf_counter() - t0 < args.seconds):
            x, _tok = step(x)
            x = x / x.norm(dim=-1, keepdim=True)  # keep values bounded across steps
            steps += 1
            if args.seconds > 0 and steps % 16 == 0:
                torch.cuda.synchronize()  # so the time check sees finished work, not queued launches
        torch.cuda.synchronize()
        wall = time.perf_counter() - t0
    tokens = args.batch * steps
    print(json.dumps({"batch": args.batch, "steps": steps, "tokens": tokens, "wall_s": wall,
                      "tokens_per_s": tokens / wall, "device": torch.cuda.get_device_name(0)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
