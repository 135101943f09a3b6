"""ProxylessNAS-style binary gates over the unified space (Cai, Zhu & Han, ICLR 2019; mit-han-lab/proxylessnas).

Each sub-block of each unified layer has architecture parameters ``alpha[4]``
over (k3, k5, k7, skip); ``p = softmax(alpha)``. The ingredients, as in the
official code's ``MixedEdge`` and ``GradientArchSearchConfig``:

* **One active path per weight step**: every sub-block draws its op from ``p``
  (:meth:`ArchitectureGates.sample_path`); :class:`ProxylessSampler` hands that
  path to the shared supernet trainer, so "which sampler trained the supernet"
  is an ablation axis next to strict fairness and uniform sampling.
* **The memory-saving two-path update** (``binary_mode='two'``): every sub-block
  draws two distinct ops from ``p``, renormalises ``p`` over them, and activates
  one of the two by that renormalised distribution. The forward runs the binary
  gates (1 on the active op, 0 on the other candidate, other ops left out);
  the gradient of the loss w.r.t. each candidate's gate gives the alpha gradient
  ``dL/dalpha_i = sum_j dL/dg_j p'_j (delta_ij - p'_i)`` over the two
  candidates only. Adam (lr 1e-3, betas (0, 0.999): no momentum, so alphas
  without a gradient do not move) updates them, and both are then shifted by
  the same constant so that their total probability mass, and hence every
  other op's probability, is unchanged (``rescale_updated_arch_param``).
* **Expected-FLOPs regulariser** on ``E = sum p * MACs`` from
  :meth:`sgnas.spaces.unified.cost.CostModel.expected_macs`, in the official code's two forms:
  ``"linear"`` (``add#linear``): ``CE + lambda * (E - ref) / ref``, and ``"log"``
  (``mul#log``): ``CE * a * (log E / log ref) ** b``; defaults lambda 0.1,
  a 0.2, b 0.3, with the target MACs as ``ref``. Its gradient is applied to
  the two candidates only, so that the update touches nothing else.
* Architecture steps run on held-out batches every 5 weight steps
  (``grad_update_arch_param_every``).

Choices this project had to make, because the unified space is not
ProxylessNAS's:

* **2..6 non-skip sub-blocks per layer.** Independent per-sub-block draws can
  violate it; every draw here is conditioned on it exactly (not resampled
  until valid, not forced): a layer's 64 skip/non-skip patterns are weighed
  by their probabilities, the invalid ones (fewer than 2 active) removed, a
  pattern drawn, then each sub-block's op drawn given its pattern bit. This is
  what rejection sampling would give, in one pass.
* **Forced sampling (FS).** Alphas stay per sub-block position. A drawn path is
  canonicalised (kernels ascending, skips last) before it runs, and in the
  architecture step each sub-block's two candidates move with its active op
  to the canonical position; the gate gradient found there is credited back to
  the position the draw came from. The supernet therefore only ever runs
  canonical paths, the only ones an FS-trained supernet has trained.
* **The result** is the argmax of alpha per sub-block; a layer with fewer
  than 2 kernels is repaired by turning its skipped sub-blocks with the most
  probable kernels into those kernels; under FS the result is canonicalised.
* :class:`ProxylessSearch` searches per target over a trained supernet with
  **frozen weights**, in eval mode, on the generator's held-out batches,
  exactly as SGNAS's generator sees the supernet, so the two gradient-based
  searches are compared on the same footing. Weight and alpha training
  interleaved (co-training) is :class:`ProxylessSampler`'s job during supernet
  training.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import torch
import torch.nn as nn
import torch.nn.functional as F

from baselines._accounting import SearchMeter
from sgnas._infra.errors import SgnasError
from sgnas._infra.progress import progress
from sgnas.registry import SAMPLERS, STRATEGIES
from sgnas.search.strategy import Evaluator, SearchContext, SearchResult, SearchStrategy
from sgnas.spaces.unified.architecture import Architecture, Layer
from sgnas.spaces.unified.cost import Convention, CostModel
from sgnas.spaces.unified.space import MIN_ACTIVE, OPS, SKIP, SUB_BLOCKS
from sgnas.training.samplers import PathSampler

__all__ = [
    "ARCH_BETAS",
    "ARCH_LR",
    "REGULARISERS",
    "ArchitectureGates",
    "GateOptimizer",
    "GateSample",
    "ProxylessSampler",
    "ProxylessSearch",
    "RelaxedModel",
    "cycle_batches",
    "Regulariser",
    "macs_regularised_loss",
]

#: Adam settings of ProxylessNAS's architecture parameters.
ARCH_LR = 1e-3
ARCH_BETAS = (0.0, 0.999)
#: Forms of the expected-FLOPs regulariser (official names ``add#linear`` and ``mul#log``).
REGULARISERS: tuple[str, ...] = ("linear", "log")
Regulariser = Literal["linear", "log"]

_NUM_OPS = len(OPS)
_SKIP = OPS.index(SKIP)
#: Every skip (True) / non-skip pattern of a layer's six sub-blocks that keeps 2..6 of them active.
_PATTERNS = torch.tensor(
    [p for p in itertools.product((False, True), repeat=SUB_BLOCKS) if SUB_BLOCKS - sum(p) >= MIN_ACTIVE]
)
#: The two-path outcomes of one sub-block: (first candidate, second candidate, active one of the two).
_PAIRS = [(a, b) for a in range(_NUM_OPS) for b in range(a + 1, _NUM_OPS)]
_PAIR_OUTCOMES = torch.tensor([(a, b, c) for a, b in _PAIRS for c in (0, 1)])
#: forward_relaxed leaves out ops with weight <= its threshold: this weight marks non-candidates, and
#: with this threshold both candidates (gates 1 and 0) are computed and nothing else.
_LEFT_OUT = -1.0
_GATE_THRESHOLD = -0.5


class RelaxedModel(Protocol):
    """What the gates need of a supernet: the relaxed forward of :class:`sgnas.spaces.unified.supernet.UnifiedSupernet`."""

    def forward_relaxed(self, x: torch.Tensor, weights: torch.Tensor, threshold: float = ...) -> torch.Tensor: ...


def _sample_constrained(probs: torch.Tensor, is_skip: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Per sub-block outcome indices from ``probs[L, 6, K]``, conditioned on 2..6 non-skip outcomes per layer."""
    tiny = torch.finfo(probs.dtype).tiny
    skip_prob = (probs * is_skip).sum(-1).clamp(1e-12, 1 - 1e-12)  # [L, 6]
    patterns = _PATTERNS.to(probs.device)
    pattern_prob = torch.where(patterns[None], skip_prob[:, None], 1 - skip_prob[:, None]).prod(-1)  # [L, P]
    chosen = patterns[torch.multinomial(pattern_prob, 1, generator=generator).squeeze(1)]  # [L, 6]
    allowed = is_skip[None, None, :] == chosen[..., None]  # [L, 6, K]
    conditional = (probs * allowed).clamp_min(tiny) * allowed
    flat = conditional.reshape(-1, conditional.shape[-1])
    return torch.multinomial(flat, 1, generator=generator).view(probs.shape[:2])


@dataclass(frozen=True)
class GateSample:
    """One two-path draw: what runs, and how its gate gradients map back to alpha.

    ``candidates[l, s]`` are the two ops drawn for alpha position ``s``, ``active[l, s]``
    (0 or 1) which of them is on, and ``positions[l, s]`` the sub-block of the path
    where that draw runs (the identity without FS).
    """

    candidates: torch.Tensor
    active: torch.Tensor
    positions: torch.Tensor
    architecture: Architecture


class ArchitectureGates(nn.Module):
    """Architecture parameters ``alpha[layers, 6, 4]`` (zero: uniform) and the draws they define."""

    def __init__(self, num_layers: int, forced_sampling: bool = True) -> None:
        super().__init__()
        self.forced_sampling = forced_sampling
        self.alpha = nn.Parameter(torch.zeros(num_layers, SUB_BLOCKS, _NUM_OPS))

    @property
    def num_layers(self) -> int:
        return self.alpha.shape[0]

    def probs(self) -> torch.Tensor:
        return F.softmax(self.alpha, dim=-1)

    def _architecture(self, ops: torch.Tensor) -> Architecture:
        arch = Architecture(tuple(tuple(OPS[o] for o in row) for row in ops.tolist()))
        return arch.canonical() if self.forced_sampling else arch

    @torch.no_grad()
    def sample_path(self, generator: torch.Generator) -> Architecture:
        """One path: each sub-block's op drawn from ``p``, given 2..6 kernels per layer (canonical under FS)."""
        is_skip = torch.arange(_NUM_OPS) == _SKIP
        return self._architecture(_sample_constrained(self.probs().cpu(), is_skip, generator))

    @torch.no_grad()
    def sample_two_paths(self, generator: torch.Generator) -> GateSample:
        """Two candidates per sub-block drawn from ``p`` without replacement, one activated by ``p`` renormalised."""
        # Draws run on the CPU, where the seeded generator lives; the result moves to alpha's device.
        p = self.probs().cpu()
        outcomes = _PAIR_OUTCOMES
        a, b, choice = outcomes[:, 0], outcomes[:, 1], outcomes[:, 2]
        pa, pb = p[..., a], p[..., b]
        # P({a, b}) for two draws without replacement, times P(active | pair) renormalised over the pair.
        pair_prob = pa * pb / (1 - pa).clamp_min(1e-12) + pb * pa / (1 - pb).clamp_min(1e-12)
        active_prob = torch.where(choice.bool(), pb, pa) / (pa + pb)
        active_op = torch.where(choice.bool(), b, a)
        drawn = _sample_constrained(pair_prob * active_prob, active_op == _SKIP, generator)  # [L, 6]
        candidates = outcomes[drawn][..., :2]
        active = outcomes[drawn][..., 2]
        active_ops = candidates.gather(-1, active[..., None]).squeeze(-1)
        if self.forced_sampling:
            # Stable sort by op index = the canonical order (kernels ascending, skips last).
            order = torch.sort(active_ops, dim=1, stable=True).indices
            positions = torch.empty_like(order).scatter_(1, order, torch.arange(SUB_BLOCKS).expand_as(order))
        else:
            positions = torch.arange(SUB_BLOCKS).expand_as(active_ops).clone()
        path_ops = torch.empty_like(active_ops).scatter_(1, positions, active_ops)
        arch = Architecture(tuple(tuple(OPS[o] for o in row) for row in path_ops.tolist()))
        device = self.alpha.device
        return GateSample(candidates.to(device), active.to(device), positions.to(device), arch)

    @torch.no_grad()
    def argmax_architecture(self) -> Architecture:
        """Most probable op per sub-block, repaired to 2..6 kernels per layer, canonical under FS."""
        ops = self.alpha.argmax(-1)
        best_kernel = self.alpha[..., :_SKIP].argmax(-1)
        kernel_score = self.alpha[..., :_SKIP].max(-1).values - self.alpha[..., _SKIP]
        for layer in range(self.num_layers):
            active = int((ops[layer] != _SKIP).sum())
            if active >= MIN_ACTIVE:
                continue
            skipped = [s for s in range(SUB_BLOCKS) if ops[layer, s] == _SKIP]
            skipped.sort(key=lambda s: -float(kernel_score[layer, s]))
            for s in skipped[: MIN_ACTIVE - active]:
                ops[layer, s] = best_kernel[layer, s]
        return self._architecture(ops)


def macs_regularised_loss(
    ce: torch.Tensor,
    expected_macs: torch.Tensor,
    reference_macs: float,
    form: Regulariser = "log",
    lam: float = 0.1,
    scale: float = 0.2,
    exponent: float = 0.3,
) -> torch.Tensor:
    """ProxylessNAS's hardware-aware loss: ``"linear"`` CE + lam (E-ref)/ref, ``"log"`` CE * scale (log E / log ref)^exponent."""
    if form == "linear":
        return ce + lam * (expected_macs - reference_macs) / reference_macs
    if form == "log":
        return ce * scale * (torch.log(expected_macs) / math.log(reference_macs)) ** exponent
    raise SgnasError(f"unknown regulariser {form!r}; choose one of {', '.join(REGULARISERS)}")


class GateOptimizer:
    """The two-path binary-gate update of :class:`ArchitectureGates` for one MACs target.

    ``expected_macs`` of the regulariser counts MACs in ``convention`` and is
    compared with ``target_macs`` in the same convention.
    """

    def __init__(
        self,
        gates: ArchitectureGates,
        cost_model: CostModel,
        target_macs: float,
        regulariser: Regulariser = "log",
        lam: float = 0.1,
        scale: float = 0.2,
        exponent: float = 0.3,
        lr: float = ARCH_LR,
        betas: tuple[float, float] = ARCH_BETAS,
        convention: Convention = "conv+fc",
    ) -> None:
        if regulariser not in REGULARISERS:
            raise SgnasError(f"unknown regulariser {regulariser!r}; choose one of {', '.join(REGULARISERS)}")
        if target_macs <= 1:
            raise SgnasError(f"MACs target {target_macs} must exceed 1 (targets are in MACs, not millions)")
        self.gates = gates
        self.cost_model = cost_model
        self.target_macs = float(target_macs)
        self.regulariser = regulariser
        self.lam, self.scale, self.exponent = lam, scale, exponent
        self.convention = convention
        self.optimizer = torch.optim.Adam(gates.parameters(), lr=lr, betas=betas)

    def expected_macs(self) -> torch.Tensor:
        return self.cost_model.expected_macs(self.gates.probs(), self.convention)

    def _gate_gradients(
        self, model: RelaxedModel, images: torch.Tensor, labels: torch.Tensor, sample: GateSample
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Cross-entropy of the binary-gated path and its gradient w.r.t. every gate (alpha positions)."""
        alpha = self.gates.alpha
        candidate_mask = torch.zeros_like(alpha, dtype=torch.bool).scatter_(-1, sample.candidates, True)
        active_op = sample.candidates.gather(-1, sample.active[..., None])
        gates = torch.zeros_like(alpha).scatter_(-1, active_op, 1.0).requires_grad_(True)
        # Move each draw (gates and candidate marks) to the sub-block where it runs.
        where = sample.positions[..., None].expand_as(alpha)
        sub_blocks = torch.arange(SUB_BLOCKS, device=where.device).view(1, -1, 1).expand_as(where)
        order = torch.empty_like(where).scatter_(1, where, sub_blocks)
        path_gates = gates.gather(1, order)
        path_mask = candidate_mask.gather(1, order)
        path_mask[..., _SKIP] = True  # skip computes nothing; its gate carries the path's expansion rate
        weights = torch.where(path_mask, path_gates, torch.full_like(path_gates, _LEFT_OUT))
        ce = F.cross_entropy(model.forward_relaxed(images, weights, _GATE_THRESHOLD), labels)
        (gate_grad,) = torch.autograd.grad(ce, gates)
        return ce.detach(), gate_grad

    def step(self, model: RelaxedModel, images: torch.Tensor, labels: torch.Tensor,
             generator: torch.Generator) -> dict[str, float]:
        """One architecture step on one batch; returns the batch's CE, loss and the expected MACs before it."""
        alpha = self.gates.alpha
        sample = self.gates.sample_two_paths(generator)
        ce, gate_grad = self._gate_gradients(model, images, labels, sample)
        pair_alpha = alpha.detach().gather(-1, sample.candidates)  # [L, 6, 2]
        pair_p = F.softmax(pair_alpha, dim=-1)
        pair_gate_grad = gate_grad.gather(-1, sample.candidates)
        # dL/dalpha_i = sum_j dL/dg_j p'_j (delta_ij - p'_i), over the two candidates.
        weighted = (pair_gate_grad * pair_p).sum(-1, keepdim=True)
        pair_alpha_grad = pair_p * (pair_gate_grad - weighted)
        ce_alpha_grad = torch.zeros_like(alpha).scatter_(-1, sample.candidates, pair_alpha_grad)
        # A stand-in for CE with value CE and gradient ce_alpha_grad, so that autograd applies either
        # regulariser form (additive, or multiplying CE) to the binary-gate estimate.
        linear = (ce_alpha_grad * alpha).sum()
        ce_standin = ce + linear - linear.detach()
        expected = self.expected_macs()
        loss = macs_regularised_loss(
            ce_standin, expected, self.target_macs, self.regulariser, self.lam, self.scale, self.exponent
        )
        (alpha_grad,) = torch.autograd.grad(loss, alpha)
        candidate_mask = torch.zeros_like(alpha).scatter_(-1, sample.candidates, 1.0)
        old_mass = torch.logsumexp(pair_alpha, dim=-1)
        alpha.grad = alpha_grad * candidate_mask
        self.optimizer.step()
        with torch.no_grad():
            # Shift both candidates so that their total mass, hence all other probabilities, is unchanged.
            new_mass = torch.logsumexp(alpha.gather(-1, sample.candidates), dim=-1)
            alpha.sub_(candidate_mask * (new_mass - old_mass)[..., None])
        return {"ce": float(ce), "loss": float(loss.detach()), "expected_macs": float(expected.detach())}

    def state_dict(self) -> dict[str, Any]:
        # Adam's state_dict holds its live tensors; a copy keeps a saved state from moving on.
        return {"alpha": self.gates.alpha.detach().clone(), "optimizer": copy.deepcopy(self.optimizer.state_dict())}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        with torch.no_grad():
            self.gates.alpha.copy_(state["alpha"])
        self.optimizer.load_state_dict(copy.deepcopy(state["optimizer"]))


Batch = tuple[torch.Tensor, torch.Tensor]


@SAMPLERS.register("proxyless")
class ProxylessSampler(PathSampler):
    """Paths for supernet training drawn from the gates, with alpha co-trained on held-out batches.

    Built like every sampler, ``ProxylessSampler(num_layers, seed, forced_sampling)``;
    until :meth:`attach` gives it the supernet, held-out batches and a MACs
    target it draws from uniform gates (each sub-block uniform over the 4 ops,
    given 2..6 kernels per layer). Once attached, every ``update_every``-th
    :meth:`next_step` after ``warmup_steps`` first runs one architecture step
    (:meth:`GateOptimizer.step`) on the next held-out batch, in whatever mode the
    trainer has the model in. It takes gradients w.r.t. the gates only, so the
    supernet's ``.grad`` is untouched. Each step returns one path.
    """

    paths_per_step = 1
    label = "ProxylessNAS gates"

    def __init__(
        self,
        num_layers: int,
        seed: int,
        forced_sampling: bool = True,
        update_every: int = 5,
        warmup_steps: int = 0,
    ) -> None:
        super().__init__(num_layers, seed, forced_sampling)
        if update_every < 1:
            raise SgnasError(f"update_every {update_every} must be at least 1")
        self.gates = ArchitectureGates(num_layers, forced_sampling)
        self.update_every = update_every
        self.warmup_steps = warmup_steps
        self.generator = torch.Generator().manual_seed(seed)
        self.optimizer: GateOptimizer | None = None
        self.model: RelaxedModel | None = None
        self.held_out: Sequence[Batch] = ()
        self.updates = 0
        self.last_update: dict[str, float] | None = None
        self._pending_optimizer_state: dict[str, Any] | None = None

    def attach(
        self,
        model: nn.Module,
        held_out: Sequence[Batch],
        cost_model: CostModel,
        target_macs: float,
        **optimizer_options: Any,
    ) -> ProxylessSampler:
        """Start co-training alpha: ``model``'s relaxed forward on ``held_out`` for ``target_macs``.

        ``optimizer_options`` go to :class:`GateOptimizer` (regulariser, lam, lr, ...).
        """
        if not held_out:
            raise SgnasError("the proxyless sampler needs at least one held-out batch")
        self.gates.to(next(model.parameters()).device)
        self.model = model
        self.held_out = held_out
        self.optimizer = GateOptimizer(self.gates, cost_model, target_macs, **optimizer_options)
        if self._pending_optimizer_state is not None:
            self.optimizer.load_state_dict(self._pending_optimizer_state)
            self._pending_optimizer_state = None
        return self

    def next_step(self) -> list[Architecture]:
        due = self.steps >= self.warmup_steps and (self.steps - self.warmup_steps) % self.update_every == 0
        if self.optimizer is not None and self.model is not None and due:
            images, labels = self.held_out[self.updates % len(self.held_out)]
            device = self.gates.alpha.device
            self.last_update = self.optimizer.step(self.model, images.to(device), labels.to(device), self.generator)
            self.updates += 1
        return super().next_step()

    def _draw(self) -> list[tuple[Layer, ...]]:
        return [self.gates.sample_path(self.generator).layers]

    def state_dict(self) -> dict[str, Any]:
        state: dict[str, Any] = {
            **super().state_dict(),
            "updates": self.updates,
            "generator": self.generator.get_state(),
            "alpha": self.gates.alpha.detach().cpu().clone(),
        }
        if self.optimizer is not None:
            state["optimizer"] = self.optimizer.state_dict()
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a checkpoint; an optimizer state waits for :meth:`attach` if it comes first."""
        super().load_state_dict(state)
        self.updates = int(state["updates"])
        self.generator.set_state(state["generator"])
        with torch.no_grad():
            self.gates.alpha.copy_(state["alpha"])
        if "optimizer" in state:
            if self.optimizer is not None:
                self.optimizer.load_state_dict(state["optimizer"])
            else:
                self._pending_optimizer_state = state["optimizer"]


def cycle_batches(batches: Any) -> Iterator[Batch]:
    """Batches forever: epoch after epoch of a :class:`sgnas.data.BatchSource`, or a re-iterable again and again."""
    for epoch in itertools.count():
        source = batches.epoch(epoch) if hasattr(batches, "epoch") else iter(batches)
        empty = True
        for batch in source:
            empty = False
            yield batch
        if empty:
            raise SgnasError("proxyless search got no batches")


@STRATEGIES.register("proxyless")
class ProxylessSearch(SearchStrategy):
    """A ProxylessNAS gradient search per target over a trained, frozen supernet; result = argmax alpha.

    ``steps`` architecture steps run on ``batches`` (cycled), the generator's
    held-out split; ``sgnas search`` gives it the same batches and, per target,
    as many steps as training the generator takes in all (its epochs times the
    split's batches), so each target gets the generator's whole optimisation
    effort. Each step is one supernet forward pass (counted in
    ``forward_passes``); the final architecture's accuracy estimate is booked
    apart (see :mod:`baselines._accounting`). The evaluation ``budget`` of
    :meth:`search` does not apply: the search evaluates no candidates, its cost
    is its steps. The result is not forced under the target: its MACs are what
    the regulariser steered alpha to, and the relative error is reported.
    """

    methods = {"proxyless": ("strict-fair", "ProxylessNAS-style")}
    evaluation_based = False  # its cost is its gradient steps, one forward pass each

    def __init__(
        self,
        model: nn.Module,
        batches: Any,
        cost_model: CostModel,
        steps: int = 500,
        seed: int = 0,
        forced_sampling: bool = True,
        regulariser: Regulariser = "log",
        lam: float = 0.1,
        scale: float = 0.2,
        exponent: float = 0.3,
        lr: float = ARCH_LR,
    ) -> None:
        if steps < 1:
            raise SgnasError(f"proxyless search needs at least 1 step, got {steps}")
        if regulariser not in REGULARISERS:
            raise SgnasError(f"unknown regulariser {regulariser!r}; choose one of {', '.join(REGULARISERS)}")
        self.model = model
        self.batches = batches
        self.cost_model = cost_model
        self.steps = steps
        self.seed = seed
        self.forced_sampling = forced_sampling
        self.regulariser = regulariser
        self.lam, self.scale, self.exponent, self.lr = lam, scale, exponent, lr

    @classmethod
    def from_context(cls, context: SearchContext) -> ProxylessSearch:
        """Built by ``sgnas search``: the generator's training batches and its total number of steps."""
        config = context.config
        batches = context.runtime.batches("val", config.generator.batch_size, True)
        return cls(context.supernet, batches, context.cost_model, steps=config.generator.epochs * len(batches),  # type: ignore[arg-type]
                   seed=context.seed, forced_sampling=context.forced_sampling)

    def search(self, evaluator: Evaluator | None, target_macs: float, budget: int = 1) -> SearchResult:
        meter = SearchMeter(evaluator, self.cost_model)
        gates = ArchitectureGates(self.cost_model.space.num_layers, self.forced_sampling)
        device = next(self.model.parameters()).device
        gates.to(device)
        optimizer = GateOptimizer(
            gates, self.cost_model, target_macs, self.regulariser, self.lam, self.scale, self.exponent, self.lr
        )
        generator = torch.Generator().manual_seed(int(round(target_macs)) * 1000 + self.seed)
        was_training = self.model.training
        self.model.eval()
        last: dict[str, float] = {}
        batches = cycle_batches(self.batches)
        try:
            for _ in progress(range(self.steps), desc=f"proxyless {target_macs / 1e6:.1f}M", unit="step", leave=False):
                images, labels = next(batches)
                last = optimizer.step(self.model, images.to(device), labels.to(device), generator)
        finally:
            self.model.train(was_training)
        arch = gates.argmax_architecture()
        return meter.result(
            self.name,
            target_macs,
            arch,
            meter.estimate_accuracy(arch),
            extra_passes=self.steps,
            gate_steps=self.steps,
            regulariser=self.regulariser,
            final_expected_macs_m=float(optimizer.expected_macs().detach()) / 1e6,
            last_gate_ce=last.get("ce"),
        )
