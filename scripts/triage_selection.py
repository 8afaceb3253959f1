"""How the sentiment models' settings are chosen on the held-out file (numpy only: shared by the training
scripts, including the fine-tuning that runs where torch is)."""

from __future__ import annotations

import itertools

import numpy as np

OFFSETS = np.round(np.arange(-0.6, 0.61, 0.1), 1) + 0.0  # + 0.0 turns -0.0 into 0.0
# Weights of the embeddings model against the default model; 0 would leave it out.
WEIGHTS = np.round(np.arange(0.1, 1.01, 0.1), 1)


def macro_recall(gold: np.ndarray, pred: np.ndarray) -> float:
    return 100 * float(np.mean([np.mean(pred[gold == k] == k) for k in range(3)]))


def best_offsets(gold: np.ndarray, scores: np.ndarray) -> tuple[float, np.ndarray]:
    """Additive offsets for the negative and positive scores (neutral fixed at 0) that maximise macro
    recall: class weights balance the training classes, but how the classes trade errors against each
    other on newer tweets is its own question, answered on the held-out file."""
    best = (-1.0, np.zeros(3))
    for neg, pos in itertools.product(OFFSETS, OFFSETS):
        offsets = np.array([neg, 0.0, pos])
        score = macro_recall(gold, (scores + offsets).argmax(axis=1))
        if score > best[0] + 1e-9:
            best = (score, offsets)
    return best


def choose_fusion(gold: np.ndarray, base: np.ndarray, head: np.ndarray) -> tuple[float, float, np.ndarray]:
    """The fusion weight and class offsets that maximise macro recall of the default model's probabilities
    (`base`) fused with the embeddings model's (`head`): a weighted sum of log-probabilities, as
    `tending.triage.embeddings.fuse` computes (its renormalisation does not change which class wins)."""
    best: tuple[float, float, np.ndarray] = (-1.0, 1.0, np.zeros(3))
    for w in WEIGHTS:
        logs = (1 - w) * np.log(base + 1e-9) + w * np.log(head + 1e-9)
        score, offsets = best_offsets(gold, logs)
        if score > best[0]:
            best = (score, float(w), offsets)
    return best
