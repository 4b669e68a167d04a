"""Tests of cached functions: keys, versions, atomic writes, divergence, provenance, store."""

from __future__ import annotations

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import ntk_scaling as nts
from ntk_scaling.cache import read_entry

import cached_examples as ex


@pytest.fixture
def cache(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv("NTK_SCALING_CACHE", str(root))
    monkeypatch.setenv("NTK_SCALING_TEST_CALLS", str(calls))
    return root, calls


def n_calls(calls, tag=""):
    if not calls.exists():
        return 0
    return sum(1 for line in calls.read_text().splitlines() if line.startswith(tag))


def entries(root):
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_computes_once_and_returns_the_same_result(cache):
    root, calls = cache
    first = ex.power_curve(0.5, n=4)
    again = ex.power_curve(0.5, n=4)
    assert n_calls(calls) == 1
    assert isinstance(again, ex.Curve) and again.label == "p=0.5"
    np.testing.assert_array_equal(first.loss, again.loss)
    assert len(entries(root)) == 1


def test_key_binds_defaults_and_positional_arguments():
    assert ex.power_curve.key(0.5) == ex.power_curve.key(exponent=0.5, n=5, scale=1.0)
    assert ex.power_curve.key(0.5) == ex.power_curve.key(exponent=0.5)
    # An int and a float are different calls (a function may branch on the type): at worst a
    # second entry, never a wrong one.
    assert ex.power_curve.key(0.5) != ex.power_curve.key(0.5, scale=1)


def test_every_key_argument_changes_the_key_and_ignored_ones_do_not():
    base = ex.power_curve.key(0.5, n=5, scale=2.0, chunk=2, weights=np.ones(3))
    changed = [
        ex.power_curve.key(0.6, n=5, scale=2.0, chunk=2, weights=np.ones(3)),
        ex.power_curve.key(0.5, n=6, scale=2.0, chunk=2, weights=np.ones(3)),
        ex.power_curve.key(0.5, n=5, scale=2.5, chunk=2, weights=np.ones(3)),
        ex.power_curve.key(0.5, n=5, scale=2.0, chunk=2, weights=np.ones(4)),
        ex.power_curve.key(0.5, n=5, scale=2.0, chunk=2, weights=np.array([1.0, 1.0, 1.0 + 1e-12])),
        ex.power_curve.key(0.5, n=5, scale=2.0, chunk=2, weights=np.ones(3, np.float32)),
        ex.power_curve.key(0.5, n=5, scale=2.0, chunk=2, weights=None),
    ]
    assert len({base, *changed}) == len(changed) + 1
    assert ex.power_curve.key(0.5, n=5, scale=2.0, chunk=7, weights=np.ones(3)) == base


def test_declared_ignored_argument_does_not_change_the_result(cache):
    with nts.cache_policy(enabled=False):
        a = ex.power_curve(0.7, chunk=1)
        b = ex.power_curve(0.7, chunk=9)
    np.testing.assert_array_equal(a.loss, b.loss)


def test_ignore_must_name_real_arguments():
    with pytest.raises(TypeError, match="unknown arguments"):
        nts.cached_function(version=1, ignore=("nope",))(lambda x: x)


def test_key_hashes_arrays_by_content_and_prng_keys_by_key_data():
    k0, k1 = jax.random.key(0), jax.random.key(1)
    assert ex.noisy_simulation.key(k0, 4) != ex.noisy_simulation.key(k1, 4)
    assert ex.noisy_simulation.key(k0, 4) == ex.noisy_simulation.key(jax.random.key(0), 4)
    assert ex.noisy_simulation.key(jax.random.PRNGKey(0), 4) != ex.noisy_simulation.key(jax.random.PRNGKey(1), 4)
    a = jnp.arange(4.0)
    assert ex.power_curve.key(1.0, weights=a) == ex.power_curve.key(1.0, weights=np.arange(4.0, dtype=np.float32))


def test_key_includes_the_numeric_state():
    base = ex.power_curve.key(0.5)
    with jax.default_matmul_precision("highest"):
        assert ex.power_curve.key(0.5) != base  # a computation inside the context runs at that precision
    previous = jax.config.jax_default_matmul_precision
    try:
        jax.config.update("jax_default_matmul_precision", "bfloat16")
        assert ex.power_curve.key(0.5) != base
    finally:
        jax.config.update("jax_default_matmul_precision", previous)
    description = ex.power_curve.call_description(0.5)
    assert set(description["numerics"]) == {"x64", "matmul_precision"}


def test_bumping_the_version_recomputes_only_that_function(cache):
    root, calls = cache
    ex.power_curve(0.5)
    ex.may_diverge(4.0)
    assert n_calls(calls) == 2
    bumped = nts.cached_function(version=2, ignore=("chunk",), name=ex.power_curve.name)(ex.power_curve.uncached)
    bumped(0.5)
    ex.may_diverge(4.0)
    ex.power_curve(0.5)
    assert n_calls(calls, "power_curve") == 2  # the new version computed once, the old entry still serves v1
    assert n_calls(calls, "may_diverge") == 1


def test_a_failing_computation_leaves_nothing_behind(cache):
    root, calls = cache
    with pytest.raises(RuntimeError, match="broken"):
        ex.fails_midway(3)
    assert entries(root) == []
    with pytest.raises(KeyboardInterrupt):
        ex.interrupted(5, stop_at=5)
    assert entries(root) == []


def test_a_corrupt_entry_is_recomputed(cache):
    root, calls = cache
    ex.power_curve(0.3)
    (path,) = entries(root)
    path.write_bytes(path.read_bytes()[:40])
    with pytest.warns(UserWarning, match="unreadable entry"):
        again = ex.power_curve(0.3)
    assert n_calls(calls) == 2 and again.label == "p=0.3"


def test_divergence_is_recorded_and_not_retried_unless_forced(cache):
    root, calls = cache
    with pytest.raises(nts.DivergenceError, match="value=-1"):
        ex.may_diverge(-1.0)
    with pytest.raises(nts.DivergenceError, match="refresh to retry"):
        ex.may_diverge(-1.0)
    assert n_calls(calls) == 1
    with nts.cache_policy(refresh=True), pytest.raises(nts.DivergenceError):
        ex.may_diverge(-1.0)
    assert n_calls(calls) == 2


def test_provenance_is_recorded(cache):
    root, _ = cache
    ex.power_curve(0.5, weights=np.ones(20))
    (path,) = entries(root)
    prov = read_entry(path).provenance
    assert prov["function"].endswith("power_curve") and prov["version"] == "1"
    assert prov["arguments"]["exponent"] == 0.5 and prov["arguments"]["weights"].startswith("array(20,)")
    assert "chunk" not in prov["arguments"]
    for field in ("package_version", "git_commit", "jax_version", "backend", "device", "x64", "matmul_precision",
                  "wall_seconds", "date"):
        assert field in prov
    assert prov["backend"] == "cpu" and path.name.endswith(".cpu.npz")


def test_entries_are_plain_data_without_pickle(cache):
    root, _ = cache
    ex.power_curve(0.5)
    (path,) = entries(root)
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["__meta__"]))
    assert meta["tree"]["namedtuple"].endswith(":Curve")


def test_only_this_packages_namedtuples_are_rebuilt(tmp_path):
    path = tmp_path / "x.npz"
    nts.write_entry(path, {"a": np.ones(2)}, {"function": "f"})
    raw = dict(np.load(path))
    meta = json.loads(str(raw.pop("__meta__")))
    meta["tree"] = {"namedtuple": "os:system", "fields": {}}
    np.savez(path, __meta__=np.asarray(json.dumps(meta)), **raw)
    with pytest.raises(ValueError, match="refusing"):
        read_entry(path)


def test_unstorable_results_and_arguments_fail_clearly(cache):
    bad = nts.cached_function(version=1, name="tests.bad")(lambda x: object())
    with pytest.raises(TypeError, match="cannot store"):
        bad(1)
    assert entries(cache[0]) == []
    with pytest.raises(TypeError, match="cache key"):
        ex.power_curve.key(0.5, weights=object())


def test_cache_off_computes_every_time(cache, monkeypatch):
    root, calls = cache
    monkeypatch.setenv("NTK_SCALING_CACHE", "off")
    ex.power_curve(0.5)
    ex.power_curve(0.5)
    assert n_calls(calls) == 2 and not root.exists()


def test_ledger_records_computed_and_read_results(cache, tmp_path, monkeypatch):
    ledger = tmp_path / "ledger.jsonl"
    monkeypatch.setenv("NTK_SCALING_LEDGER", str(ledger))
    ex.power_curve(0.5)
    ex.power_curve(0.5)
    rows = [json.loads(line) for line in ledger.read_text().splitlines()]
    assert [r["source"] for r in rows] == ["computed", "cache"]
    assert rows[0]["key"] == rows[1]["key"] == ex.power_curve.key(0.5)


def test_store_is_read_first_and_serves_other_backends(cache, tmp_path, monkeypatch):
    root, calls = cache
    store = tmp_path / "results"
    ex.power_curve(0.5)
    (path,) = entries(root)
    # an entry computed "on a GPU" for profile tiny
    target = store / "tiny" / path.parent.name / path.name.replace(".cpu.", ".gpu.")
    target.parent.mkdir(parents=True)
    entry = read_entry(path)
    nts.write_entry(target, entry.result._replace(label="from the store"), {**entry.provenance, "backend": "gpu"})
    monkeypatch.setenv("NTK_SCALING_RESULTS", str(store))
    assert ex.power_curve(0.5).label == "p=0.5"  # no profile: the store is not searched
    monkeypatch.setenv("NTK_SCALING_PROFILE", "tiny")
    assert ex.power_curve(0.5).label == "from the store"
    monkeypatch.setenv("NTK_SCALING_PROFILE", "ci")
    assert ex.power_curve(0.5).label == "p=0.5"
    assert n_calls(calls) == 1


def test_store_only_mode_names_the_missing_result(cache, monkeypatch):
    monkeypatch.setenv("NTK_SCALING_STORE_ONLY", "1")
    with pytest.raises(nts.MissingResultError, match=r"power_curve.*exponent.*0\.25"):
        ex.power_curve(0.25)


def test_library_functions_are_cached_with_their_data_identity():
    key = nts.train_mlp.call_description(dataset="mnist", n_train=10, width=4, depth=1, epochs=2, learning_rate=0.1,
                                          n_seeds=1)
    assert key["data"]["dict"]["variant"] == "official"
    assert "seed_chunk" not in key["arguments"]
    for fn in (nts.dmft_limit, nts.simulate_projected_model, nts.simulate_spike, nts.train_mlp, nts.width_family_point):
        assert isinstance(fn, nts.CachedFunction)


def test_cifar_variants_never_share_a_key(tmp_path, monkeypatch):
    (tmp_path / "cifar10-jpeg").mkdir()
    (tmp_path / "cifar10-jpeg" / "cifar10_jpeg_subset.npz").write_bytes(b"x")
    monkeypatch.setenv("NTK_SCALING_DATA", str(tmp_path))
    call = dict(dataset="cifar10", n_train=10, width=4, depth=1, epochs=2, learning_rate=0.1, n_seeds=1)
    jpeg = nts.train_mlp.key(**call)
    (tmp_path / "cifar10").mkdir()
    (tmp_path / "cifar10" / "cifar-10-python.tar.gz").write_bytes(b"x")
    assert nts.train_mlp.key(**call) != jpeg


def test_every_library_cached_function_keys_on_all_its_arguments():
    """Changing any argument not declared ignored changes the key; the ignored ones do not."""
    import inspect

    found = [getattr(nts, name) for name in nts.__all__ if isinstance(getattr(nts, name), nts.CachedFunction)]
    assert len(found) >= 6
    for fn in found:
        params = inspect.signature(fn.uncached).parameters
        assert not any(p.kind is p.VAR_KEYWORD for p in params.values()), f"{fn.name}: **kwargs hide arguments"
        call = {name: 1000 + i for i, name in enumerate(params)}
        if "dataset" in call:
            call["dataset"] = "mnist"
        base = fn.key(**call)
        assert set(fn.call_description(**call)["arguments"]) == set(params) - set(fn.ignore), fn.name
        for name in params:
            changed = fn.key(**{**call, name: "changed"}) if name != "dataset" else fn.key(**{**call, name: "cifar10"})
            assert (changed == base) == (name in fn.ignore), f"{fn.name}: argument {name}"
