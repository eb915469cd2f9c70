"""Runs generated modules for the codegen execution tests (test/codegen/python.ts).

usage: python3 driver.py TARGET CASES.json  ->  one JSON list on stdout, one entry per case:
{"value", "derivatives"[, "autograd"]} or {"error"}. With "autograd", each derivative is also
computed by the library's own automatic differentiation of the generated function's value:
torch.func.jacrev (torch.func.hessian at order 2), jax.jacobian (jax.hessian at order 2).
"""
import importlib.util
import json
import sys

import numpy as np

target = sys.argv[1]
with open(sys.argv[2]) as f:
    cases = json.load(f)

if target == "torch":
    import torch

    def to(x):
        return torch.tensor(x, dtype=torch.float64)

    def tonp(x):
        return x.detach().numpy() if isinstance(x, torch.Tensor) else np.asarray(x, dtype=np.float64)

    def jac(g, order):
        if order == 2:
            return torch.func.hessian(g)
        for _ in range(order):
            g = torch.func.jacrev(g)
        return g
elif target == "jax":
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)

    def to(x):
        return jnp.asarray(x)

    def tonp(x):
        return np.asarray(x, dtype=np.float64)

    def jac(g, order):
        if order == 2:
            return jax.hessian(g)
        for _ in range(order):
            g = jax.jacobian(g)
        return g
else:
    def to(x):
        return x

    def tonp(x):
        return np.asarray(x, dtype=np.float64)


def run(i, c):
    spec = importlib.util.spec_from_file_location(f"generated_{i}", c["module"])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    fn = getattr(mod, c["function"])
    inputs = {k: to(np.asarray(v, dtype=np.float64)) for k, v in c["inputs"].items()}
    value, ds = fn(**inputs)
    if c["single"]:
        ds = [ds]
    out = {"value": tonp(value).tolist(), "derivatives": [tonp(d).tolist() for d in ds]}
    if c.get("autograd"):
        refs = []
        for w in c["wrt"]:
            g = jac(lambda x, w=w: fn(**{**inputs, w: x})[0], c["order"])
            refs.append(tonp(g(inputs[w])).tolist())
        out["autograd"] = refs
    return out


results = []
for i, c in enumerate(cases):
    try:
        results.append(run(i, c))
    except Exception as e:  # reported per case, with the case's module
        results.append({"error": f"{type(e).__name__}: {e}"})
print(json.dumps(results, allow_nan=True).replace("NaN", "null").replace("Infinity", "null"))
