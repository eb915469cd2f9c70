"""Timings for `npm run bench`, section 5 (bench/codegen.ts): generated code against autograd.

usage: python3 codegen.py SPEC.json -> JSON on stdout. SPEC: {"sizes": [...], "repeats": r,
"modules": {"gradient": {"numpy": path, "torch": path, "jax": path}, "hessian": {...}}}.
The function is logistic regression, f(w) = sum(softplus(X w)) - y'X w with X n×n. Every
implementation gets the same inputs; each time is the median of `repeats` calls after a warm-up
call (which, for JAX, compiles). Autograd differentiates the plain value function written with the
library (torch.func.grad / hessian; jax.grad / hessian under jax.jit).
"""
import importlib.util
import json
import statistics
import sys
import time

import numpy as np

spec = json.load(open(sys.argv[1]))
repeats = spec["repeats"]


def load(path, name):
    s = importlib.util.spec_from_file_location(name, path)
    m = importlib.util.module_from_spec(s)
    s.loader.exec_module(m)
    return m


def timed(fn, sync=lambda r: r):
    sync(fn())  # warm-up (and JIT compilation)
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        sync(fn())
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


out = {"versions": {"numpy": np.__version__}, "results": []}
have = {}
try:
    import torch

    have["torch"] = True
    out["versions"]["torch"] = torch.__version__
except ImportError:
    have["torch"] = False
try:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    have["jax"] = True
    out["versions"]["jax"] = jax.__version__
except ImportError:
    have["jax"] = False

for n in spec["sizes"]:
    rng = np.random.default_rng(n)
    X = rng.standard_normal((n, n)) / np.sqrt(n)
    w = rng.standard_normal(n)
    y = (rng.random(n) < 0.5).astype(np.float64)
    for kind in ["gradient", "hessian"]:
        mods = spec["modules"][kind]
        row = {"n": n, "kind": kind}
        gen = load(mods["numpy"], f"np_{kind}")
        fn = getattr(gen, spec["function"][kind])
        row["generated numpy"] = timed(lambda: fn(X=X, w=w, y=y))
        if have["torch"]:
            Xt, wt, yt = (torch.tensor(a) for a in (X, w, y))
            gen_t = getattr(load(mods["torch"], f"torch_{kind}"), spec["function"][kind])
            row["generated torch"] = timed(lambda: gen_t(X=Xt, w=wt, y=yt))

            def f_torch(w):
                z = Xt @ w
                return torch.sum(torch.nn.functional.softplus(z)) - yt @ z

            auto = torch.func.grad(f_torch) if kind == "gradient" else torch.func.hessian(f_torch)
            row["torch.func autograd"] = timed(lambda: auto(wt))
        if have["jax"]:
            Xj, wj, yj = (jnp.asarray(a) for a in (X, w, y))
            ready = lambda r: jax.block_until_ready(r)

            def f_jax(w):
                z = Xj @ w
                return jnp.sum(jax.nn.softplus(z)) - yj @ z

            auto_j = jax.jit(jax.grad(f_jax) if kind == "gradient" else jax.hessian(f_jax))
            row["jax autograd (jit)"] = timed(lambda: auto_j(wj), ready)
            gen_j = jax.jit(getattr(load(mods["jax"], f"jax_{kind}"), spec["function"][kind]))
            row["generated jax (jit)"] = timed(lambda: gen_j(X=Xj, w=wj, y=yj), ready)
        out["results"].append(row)
print(json.dumps(out))
