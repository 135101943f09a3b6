"""ProxylessNAS-style gates: constrained draws, the two-path binary-gate update, the regulariser, resume, search."""

from __future__ import annotations

from itertools import product

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from baselines_support import FakeEvaluator, macs_fitness, one_thread, tiny_space
from scipy.stats import chisquare

from baselines.proxyless import (
    ArchitectureGates,
    GateOptimizer,
    ProxylessSampler,
    ProxylessSearch,
    macs_regularised_loss,
)
from sgnas._infra.errors import SgnasError
from sgnas.spaces.unified.cost import CostModel
from sgnas.spaces.unified.space import OPS, SKIP, SUB_BLOCKS
from sgnas.spaces.unified.supernet import UnifiedSupernet

K3, K5, K7, SKIP_INDEX = (OPS.index(op) for op in ("k3", "k5", "k7", SKIP))
pytestmark = pytest.mark.usefixtures(one_thread.__name__)


class PreferenceModel(nn.Module):
    """A crafted problem: each kept k5 gate adds evidence for the true class, each k7 gate against it."""

    def __init__(self) -> None:
        super().__init__()
        self.score = nn.Parameter(torch.tensor([0.0, 1.0, -1.0, 0.0]), requires_grad=False)

    def forward_relaxed(self, x: torch.Tensor, weights: torch.Tensor, threshold: float = 0.01) -> torch.Tensor:
        kept = torch.where(weights > threshold, weights, torch.zeros_like(weights))
        evidence = (kept * self.score).sum() * 0.1
        return torch.stack([evidence, -evidence]).expand(x.shape[0], 2)


def _generator(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _batch(space, n: int = 4, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = _generator(seed)
    return torch.randn(n, 3, space.resolution, space.resolution, generator=g), torch.randint(0, 10, (n,), generator=g)


def test_alpha_update_moves_probability_toward_the_op_with_lower_loss():
    cost_model = CostModel(tiny_space(3))
    gates = ArchitectureGates(3, forced_sampling=False)
    # No hardware term (lambda 0): only the cross-entropy drives alpha.
    optimizer = GateOptimizer(gates, cost_model, 1e7, regulariser="linear", lam=0.0, lr=0.1)
    model, g = PreferenceModel(), _generator(1)
    images, labels = torch.zeros(2, 1), torch.zeros(2, dtype=torch.long)
    for _ in range(100):
        optimizer.step(model, images, labels, g)
    p = gates.probs().detach()
    assert (p[..., K5] > 0.6).all() and (p[..., K7] < 0.1).all()


def test_update_touches_only_the_two_candidates_and_keeps_every_other_probability():
    cost_model = CostModel(tiny_space(4))
    gates = ArchitectureGates(4, forced_sampling=True)
    with torch.no_grad():
        gates.alpha.normal_(0, 0.5, generator=_generator(2))
    optimizer = GateOptimizer(gates, cost_model, float(np.mean(cost_model.macs_range())), lr=0.1)
    g = _generator(3)
    replay = torch.Generator()
    replay.set_state(g.get_state())
    sample = gates.sample_two_paths(replay)
    before = gates.probs().detach().clone()
    optimizer.step(UnifiedSupernet(cost_model.space).eval(), *_batch(cost_model.space), g)
    after = gates.probs().detach()
    candidate = torch.zeros_like(before, dtype=torch.bool).scatter_(-1, sample.candidates, True)
    torch.testing.assert_close(after[~candidate], before[~candidate], rtol=0, atol=1e-6)
    # the pair's total probability is kept, and its split has moved
    torch.testing.assert_close((after * candidate).sum(-1), (before * candidate).sum(-1), rtol=0, atol=1e-6)
    assert (after[candidate] - before[candidate]).abs().max() > 1e-3


@pytest.mark.parametrize("forced_sampling", [True, False])
def test_binary_gated_forward_is_the_active_path_and_credits_every_candidate(forced_sampling):
    space = tiny_space(4)
    cost_model = CostModel(space)
    supernet = UnifiedSupernet(space).eval()
    gates = ArchitectureGates(4, forced_sampling)
    optimizer = GateOptimizer(gates, cost_model, 1e7)
    images, labels = _batch(space)
    sample = gates.sample_two_paths(_generator(4))
    assert sample.architecture.is_canonical() or not forced_sampling
    ce, gate_grad = optimizer._gate_gradients(supernet, images, labels, sample)
    with torch.no_grad():
        expected = F.cross_entropy(supernet(images, sample.architecture), labels)
    torch.testing.assert_close(ce, expected, rtol=1e-5, atol=1e-5)
    candidate = torch.zeros_like(gate_grad, dtype=torch.bool).scatter_(-1, sample.candidates, True)
    kernel = torch.zeros_like(candidate)
    kernel[..., :SKIP_INDEX] = True
    assert (gate_grad[~candidate & kernel] == 0).all()
    assert (gate_grad[candidate & kernel] != 0).float().mean() > 0.9


def test_draws_keep_two_to_six_kernels_even_when_skip_dominates():
    gates = ArchitectureGates(5, forced_sampling=True)
    with torch.no_grad():
        gates.alpha[..., SKIP_INDEX] = 6.0
    g = _generator(5)
    for _ in range(20):
        for arch in (gates.sample_path(g), gates.sample_two_paths(g).architecture):
            assert arch.is_canonical() and all(2 <= e <= SUB_BLOCKS for e in arch.expansions)
    unordered = ArchitectureGates(5, forced_sampling=False)
    assert not all(unordered.sample_path(g).is_canonical() for _ in range(5))


def test_single_path_draws_follow_p_conditioned_on_the_layer_constraint():
    layers = 100  # independent layers with equal alphas: one draw of sub-block 0 from each
    gates = ArchitectureGates(layers, forced_sampling=False)
    with torch.no_grad():
        gates.alpha.copy_(torch.tensor([0.2, -0.3, 0.1, 1.2]).expand(layers, SUB_BLOCKS, 4))
    p = gates.probs()[0, 0].detach().double().numpy()
    # Exact conditional law of the first sub-block's op, by enumerating the 4^6 layers.
    exact = np.zeros(4)
    for layer in product(range(4), repeat=SUB_BLOCKS):
        if sum(o != SKIP_INDEX for o in layer) >= 2:
            exact[layer[0]] += np.prod(p[list(layer)])
    exact /= exact.sum()
    g = _generator(6)
    counts = np.zeros(4)
    for _ in range(30):
        for ops in gates.sample_path(g).layers:
            counts[OPS.index(ops[0])] += 1
    assert chisquare(counts, exact * counts.sum()).pvalue > 1e-3


def test_argmax_result_is_repaired_to_two_kernels_and_canonical():
    gates = ArchitectureGates(3, forced_sampling=True)
    with torch.no_grad():
        gates.alpha[..., SKIP_INDEX] = 1.0
        gates.alpha[0, 4, K7] = 0.9
        gates.alpha[0, 1, K5] = 0.5
    arch = gates.argmax_architecture()
    assert arch.layers[0] == ("k5", "k7", SKIP, SKIP, SKIP, SKIP)
    assert arch.expansions == (2, 2, 2) and arch.is_canonical()


def test_regulariser_forms_follow_proxylessnas():
    ce, ref = torch.tensor(2.0), 1e6
    expected = torch.tensor(1.5e6, requires_grad=True)
    linear = macs_regularised_loss(ce, expected, ref, "linear", lam=0.1)
    assert linear.item() == pytest.approx(2.0 + 0.1 * 0.5)
    log = macs_regularised_loss(ce, expected, ref, "log", scale=0.2, exponent=0.3)
    assert log.item() == pytest.approx(2.0 * 0.2 * (np.log(1.5e6) / np.log(1e6)) ** 0.3)
    for loss in (linear, log):
        (grad,) = torch.autograd.grad(loss, expected)
        assert grad > 0  # more MACs, more loss
    with pytest.raises(SgnasError, match="unknown regulariser"):
        macs_regularised_loss(ce, expected, ref, "square")  # type: ignore[arg-type]


def test_sampler_co_trains_alpha_without_touching_weight_gradients_and_resumes_exactly():
    space = tiny_space(4)
    cost_model = CostModel(space)
    supernet = UnifiedSupernet(space).train()
    held_out = [_batch(space, seed=s) for s in range(3)]
    target = float(np.mean(cost_model.macs_range()))

    def fresh() -> ProxylessSampler:
        return ProxylessSampler(4, seed=7, update_every=2).attach(supernet, held_out, cost_model, target, lr=0.05)

    sampler = fresh()
    paths = [sampler.next_step() for _ in range(4)]
    assert all(len(p) == 1 for p in paths) and sampler.updates == 2
    assert all(p.grad is None for p in supernet.parameters())
    assert not torch.equal(sampler.gates.alpha.detach(), torch.zeros_like(sampler.gates.alpha))
    state = sampler.state_dict()
    continued = [sampler.next_step()[0] for _ in range(5)]
    resumed = ProxylessSampler(4, seed=0, update_every=2)
    resumed.load_state_dict(state)  # before attach, as a trainer may do
    resumed.attach(supernet, held_out, cost_model, target, lr=0.05)
    # BN statistics moved during the first run's steps; compare with them frozen in eval mode.
    supernet.eval()
    sampler.load_state_dict(state)
    assert [sampler.next_step()[0] for _ in range(5)] == [resumed.next_step()[0] for _ in range(5)]
    assert len(continued) == 5
    torch.testing.assert_close(sampler.gates.alpha, resumed.gates.alpha)


def test_uniform_gates_without_attach_give_valid_single_paths():
    sampler = ProxylessSampler(6, seed=1, forced_sampling=True)
    for _ in range(10):
        (arch,) = sampler.next_step()
        assert arch.is_canonical() and arch.num_layers == 6
    assert sampler.updates == 0


def test_proxyless_search_over_a_tiny_supernet():
    space = tiny_space(4)
    cost_model = CostModel(space)
    supernet = UnifiedSupernet(space)
    batches = [_batch(space, seed=s) for s in range(2)]
    evaluator = FakeEvaluator(cost_model, macs_fitness(cost_model))
    target = float(np.mean(cost_model.macs_range()))
    strategy = ProxylessSearch(supernet, batches, cost_model, steps=6, seed=0)
    result = strategy.search(evaluator, target, budget=1)
    again = ProxylessSearch(supernet, batches, cost_model, steps=6, seed=0).search(None, target, budget=1)
    assert result.architecture == again.architecture and result.architecture.is_canonical()
    assert result.forward_passes == 6 and result.extra["estimate_forward_passes"] > 0
    assert again.accuracy is None and supernet.training  # the model's mode is restored
    assert result.extra["final_expected_macs_m"] > 0
