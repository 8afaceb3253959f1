"""Training of the embeddings model's attention heads (torch), for `train_triage.py --embeddings`.

The settings were fixed on the held-out file (see BENCHMARKS.md): three seeds, five epochs, 64 attention
units, dropout 0.5 before the output layer, AdamW (learning rate 5e-4, weight decay 0.01), batches of 128,
class-balanced cross-entropy (the metric is macro recall).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

SEEDS = (0, 1, 2)
EPOCHS = 5
ATTENTION_UNITS = 64
DROPOUT = 0.5
BATCH = 128


@dataclass(frozen=True)
class TokenCache:
    """Token states of every training tweet, end to end, and where each tweet's rows start."""

    states: np.ndarray  # (all tokens, 1152) float16
    starts: np.ndarray  # (tweets + 1,)

    def padded(self, rows: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lengths = self.starts[rows + 1] - self.starts[rows]
        out = np.zeros((len(rows), int(lengths.max()), self.states.shape[1]), dtype=np.float32)
        mask = np.zeros(out.shape[:2], dtype=bool)
        for k, i in enumerate(rows):
            n = lengths[k]
            out[k, :n] = (self.states[self.starts[i] : self.starts[i + 1]].astype(np.float32) - mean) / scale
            mask[k, :n] = True
        return out, mask


def fit_heads(cache: TokenCache, dense: np.ndarray, y: np.ndarray, rows: np.ndarray) -> dict[str, np.ndarray]:
    """Fit one head per seed on `rows`: the arrays `EmbeddingsModel` takes, less weight and offsets."""
    n_tokens = int(cache.starts[-1])
    sample = np.sort(np.random.default_rng(0).choice(n_tokens, size=min(200_000, n_tokens), replace=False))
    token_mean = cache.states[sample].astype(np.float32).mean(axis=0)
    token_scale = cache.states[sample].astype(np.float32).std(axis=0) + 1e-6
    dense_mean, dense_scale = dense[rows].mean(axis=0), dense[rows].std(axis=0) + 1e-6
    dense_std = ((dense - dense_mean) / dense_scale).astype(np.float32)
    weights = torch.tensor(len(rows) / (3 * np.bincount(y[rows], minlength=3)), dtype=torch.float32)
    labels = torch.tensor(y)
    heads = []
    for seed in SEEDS:
        torch.manual_seed(seed)
        net = Head(cache.states.shape[1], dense.shape[1])
        opt = torch.optim.AdamW(net.parameters(), lr=5e-4, weight_decay=1e-2)
        loss = torch.nn.CrossEntropyLoss(weight=weights)
        for epoch in range(EPOCHS):
            net.train()
            order = np.random.default_rng(100 * seed + epoch).permutation(rows)
            for start in range(0, len(order), BATCH):
                batch = order[start : start + BATCH]
                x, mask = cache.padded(batch, token_mean, token_scale)
                opt.zero_grad()
                out = net(torch.tensor(x), torch.tensor(mask), torch.tensor(dense_std[batch]))
                loss(out, labels[batch]).backward()
                opt.step()
        heads.append(net)
        print(f"head {seed + 1}/{len(SEEDS)} fitted", flush=True)
    return {
        "token_mean": token_mean,
        "token_scale": token_scale,
        "dense_mean": dense_mean,
        "dense_scale": dense_scale,
        "att_w": np.stack([h.att_in.weight.detach().numpy().T for h in heads]),
        "att_b": np.stack([h.att_in.bias.detach().numpy() for h in heads]),
        "att_v": np.stack([h.att_out.weight.detach().numpy()[0] for h in heads]),
        "att_c": np.array([float(h.att_out.bias.detach()[0]) for h in heads]),
        "out_w": np.stack([h.out.weight.detach().numpy().T for h in heads]),
        "out_b": np.stack([h.out.bias.detach().numpy() for h in heads]),
    }


class Head(torch.nn.Module):
    """The torch twin of `EmbeddingsModel.head_probabilities` (which runs the same maths in numpy)."""

    def __init__(self, token_dim: int, dense_dim: int) -> None:
        super().__init__()
        self.att_in = torch.nn.Linear(token_dim, ATTENTION_UNITS)
        self.att_out = torch.nn.Linear(ATTENTION_UNITS, 1)
        self.drop = torch.nn.Dropout(DROPOUT)
        self.out = torch.nn.Linear(token_dim + dense_dim, 3)

    def forward(self, x: torch.Tensor, mask: torch.Tensor, dense: torch.Tensor) -> torch.Tensor:
        score = self.att_out(self.att_in(x).tanh()).squeeze(-1).masked_fill(~mask, -1e9)
        pooled = (score.softmax(1).unsqueeze(-1) * x).sum(1)
        return self.out(self.drop(torch.cat([pooled, dense], 1)))
