"""[A]'s claims as decision rules (nts.a_model_claims and friends) on constructed read-outs."""

from __future__ import annotations

import numpy as np
import pytest

import ntk_scaling as nts


def _readout(x, *, loss_exp, trace_exp, rate_exp, delta_exp, rank_exp, n_seeds=4, noise=0.02, seed=0):
    rng = np.random.default_rng(seed)
    x = np.asarray(x, float)

    def law(e, c=1.0):
        return c * x[None, :] ** e * np.exp(noise * rng.standard_normal((n_seeds, x.size)))

    return nts.ProtocolReadout(
        epoch=np.ones((n_seeds, x.size)), test_loss=law(-loss_exp), trace0=law(trace_exp), trace=law(trace_exp),
        trace_ratio=law(delta_exp), rank0=law(0.0), rank=law(rank_exp), rate=law(rate_exp),
    )


def test_model_claims_on_a_constructed_sweep_that_follows_the_paper():
    widths = [32, 64, 128, 256, 512]
    r = _readout(widths, loss_exp=0.5, trace_exp=1.0, rate_exp=0.0, delta_exp=-0.75, rank_exp=0.3)
    got = {c.key: c for c in nts.a_model_claims(widths, r, n_boot=20)}
    assert got["loss_width"].value == pytest.approx(0.5, abs=0.05) and got["loss_width"].verdict == "agrees"
    assert got["trace0_width"].verdict == "agrees"
    assert got["rate_width"].verdict == "agrees"
    assert got["delta_width"].verdict == "agrees"
    assert got["rank_saturation"].verdict == "not tested"  # the sweep stops below 1000


def test_model_claims_that_the_sweep_contradicts():
    widths = [32, 64, 128, 256, 512]
    r = _readout(widths, loss_exp=0.05, trace_exp=0.3, rate_exp=0.8, delta_exp=0.2, rank_exp=0.3)
    got = {c.key: c.verdict for c in nts.a_model_claims(widths, r, n_boot=20)}
    assert got == {"loss_width": "disagrees", "trace0_width": "disagrees", "rate_width": "disagrees",
                   "delta_width": "disagrees", "rank_saturation": "not tested"}
    # a trace ratio that changes sign is not one power law
    flip = r._replace(trace_ratio=r.trace_ratio * np.array([1, 1, -1, -1, -1]))
    delta = [c for c in nts.a_model_claims(widths, flip, n_boot=0) if c.key == "delta_width"][0]
    assert delta.verdict == "disagrees" and "changes sign" in delta.note and np.isnan(delta.value)


def test_saturation_and_depth_claims_past_width_1000():
    widths = np.array([128, 256, 512, 1024, 2048, 4096])
    rank = np.where(widths <= 700, widths / 128.0, 700 / 128.0) ** 0.8
    r = _readout(widths, loss_exp=0.5, trace_exp=1, rate_exp=0, delta_exp=-0.75, rank_exp=0, noise=0.01)
    r = r._replace(rank=rank[None, :] * np.exp(0.01 * np.random.default_rng(1).standard_normal((4, widths.size))),
                   trace_ratio=-rank[None, :] * np.ones((4, 1)) * np.linspace(1, 1.01, 4)[:, None])
    sat = [c for c in nts.a_model_claims(widths, r, n_boot=50) if c.key == "rank_saturation"][0]
    assert 500 <= sat.value <= 1000 and sat.verdict == "agrees"
    assert nts.a_depth_claim(widths, r, n_boot=50).verdict == "agrees"
    assert nts.a_depth_claim(widths[:3], r._replace(**{f: getattr(r, f)[:, :3] for f in r._fields})).verdict == "not tested"


def test_data_claims_and_direction_rules():
    n = [128, 256, 512, 1024]
    r = _readout(n, loss_exp=0.5, trace_exp=0.0, rate_exp=0.6, delta_exp=0.2, rank_exp=-0.4)
    got = {c.key: c.verdict for c in nts.a_data_claims(n, r)}
    assert got == {"loss_data": "agrees", "trace0_data": "agrees", "rate_data": "agrees", "rank_data": "agrees"}
    assert nts.direction_verdict(0.1, (-0.1, 0.3), +1) == "partly"
    assert nts.direction_verdict(-0.2, (-0.3, -0.1), +1) == "disagrees"
    assert nts.direction_verdict(float("nan"), (0, 1), -1) == "not tested"
    with pytest.raises(ValueError):
        nts.direction_verdict(0.1, (0, 1), 0)


def test_band_fade_and_best_protocol():
    assert nts.band_verdict((-0.1, 0.2), -0.25, 0.25) == "agrees"
    assert nts.band_verdict((0.3, 0.5), -0.25, 0.25) == "disagrees"
    assert nts.band_verdict((0.1, 0.5), -0.25, 0.25) == "partly"
    assert nts.fade_verdict((-0.9, -0.5)) == "fades" and nts.fade_verdict((-0.17, -0.06)) == "fades"
    assert nts.fade_verdict((0.1, 0.4)) == "does not fade"
    assert nts.fade_verdict((-0.3, 0.2)) == "undecided"
    m = {"baseline": ["agrees", "disagrees", "disagrees"], "loss": ["agrees", "agrees", "disagrees"],
         "depth": ["agrees", "agrees", "partly"]}
    assert nts.best_protocol(m) == "depth"
    assert nts.best_protocol({"a": ["agrees"], "b": ["agrees"]}) == "a"
    assert nts.verdict_score(["agrees", "not tested", "partly", None]) == (1, 1, 0)
    # a claim that one column cannot measure does not count for any column
    m2 = {"baseline": ["agrees", "disagrees", "agrees"], "loss": ["agrees", "agrees", None]}
    assert nts.best_protocol(m2) == "loss"
    with pytest.raises(ValueError, match="numbers of claims"):
        nts.best_protocol({"a": ["agrees"], "b": ["agrees", "agrees"]})


def test_one_factor_protocols_flip_one_field_each():
    base = nts.protocol_from("mse_adam", epochs=100)
    cols = nts.one_factor_protocols(base, budget_epochs=30)
    assert cols["baseline"] == base
    for name, field in [("loss", "loss"), ("learning rate", "lr_width_exponent"), ("parameterisation", "parameterisation"),
                        ("depth", "n_hidden_layers")]:
        diff = [f for f in base._fields if getattr(cols[name], f) != getattr(base, f)]
        assert diff == [field], (name, diff)
    assert cols["read-out"].stopping == "fixed_budget" and cols["read-out"].budget_epochs == 30
    ce = nts.one_factor_protocols("ce_mup_adam", budget_epochs=30)
    assert ce["loss"].loss == "mse" and ce["parameterisation"].parameterisation == "sp"
