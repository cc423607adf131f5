"""A tiny random-weight Argos package (src -> tgt) built offline, for tests of the Argos code
path: sentencepiece trained on a few hundred lines, a one-layer CTranslate2 transformer with
numpy weights, an ONNX lookup table as the sentence splitter. Its output is gibberish, but the
same every build; the decoder is bounded so it stops after a few tokens.
(After ../shared/tiny_argos_reference.py.)"""

from __future__ import annotations

import io
import json
import random
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import sentencepiece as spm
from ctranslate2.specs import TransformerSpec
from onnx import TensorProto
from onnx import helper as oh

WORDS = ["clinic", "pharmacy", "doctor", "nurse", "take", "tablet", "water", "daily", "call",
         "help", "open", "close", "today", "fever"]


def _sentencepiece(seed: int) -> bytes:
    r = random.Random(seed)
    lines = [" ".join(r.choice(WORDS) for _ in range(r.randint(3, 9))).capitalize() + "."
             for _ in range(300)]
    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=buffer, vocab_size=64, num_threads=1,
        hard_vocab_limit=False, normalization_rule_name="identity", minloglevel=2)
    return buffer.getvalue()


@dataclass(frozen=True)
class Shape:
    """The transformer's size: TINY for tests; BASE, the transformer-base size (common Argos
    packages are about this size), for bench/translation.py's real-size timing (177 MB)."""

    layers: int
    heads: int
    d: int
    ff: int


TINY = Shape(layers=1, heads=2, d=16, ff=32)
BASE = Shape(layers=6, heads=8, d=512, ff=2048)


def _model(vocab: list[str], seed: int, out: Path, shape: Shape) -> dict[str, bytes]:
    rng = np.random.default_rng(seed)
    size, d, ff = len(vocab), shape.d, shape.ff

    # Weights shrink as d grows, so a bigger model's activations stay as small as the tiny
    # one's and the </s> ramp below still ends its output after a few tokens.
    scale = 0.5 * (16 / d) ** 0.5

    def w(*dims: int) -> Any:
        return rng.normal(0, scale, dims).astype(np.float32)

    def lin(layer: Any, o: int, i: int) -> None:
        layer.weight, layer.bias = w(o, i), w(o)

    def ln(norm: Any) -> None:
        norm.gamma, norm.beta = np.ones(d, np.float32), np.zeros(d, np.float32)

    spec = TransformerSpec.from_config(num_layers=shape.layers, num_heads=shape.heads)
    for stack in (spec.encoder, spec.decoder):
        ln(stack.layer_norm)
        for layer in stack.layer:
            ln(layer.self_attention.layer_norm)
            lin(layer.self_attention.linear[0], 3 * d, d)
            lin(layer.self_attention.linear[1], d, d)
            if hasattr(layer, "attention"):
                ln(layer.attention.layer_norm)
                lin(layer.attention.linear[0], d, d)
                lin(layer.attention.linear[1], 2 * d, d)
                lin(layer.attention.linear[2], d, d)
            ln(layer.ffn.layer_norm)
            lin(layer.ffn.linear_0, ff, d)
            lin(layer.ffn.linear_1, d, ff)
    spec.encoder.embeddings[0].weight, spec.decoder.embeddings.weight = w(size, d), w(size, d)
    lin(spec.decoder.projection, size, d)
    # Bound the output: a ramp in dim 0 of the decoder positions feeds only the </s> logit.
    positions = np.zeros((256, d), np.float32)
    positions[:, 0] = np.arange(256) * 3.0
    spec.decoder.position_encodings.encodings = positions
    spec.decoder.projection.weight[2] = 0
    spec.decoder.projection.weight[2, 0] = 4
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.validate()
    spec.optimize(quantization=None)
    saved = Path(tempfile.mkdtemp(dir=out))
    spec.save(str(saved))
    return {f"model/{p.name}": p.read_bytes() for p in saved.iterdir()}


def _splitter(src: str) -> bytes:
    units = ["<PAD>", "<UNK>", ".", "!", "?"]
    table = np.zeros((len(units), 5), np.float32)
    table[:2, 0] = 1
    table[2:, 2] = 1  # '.', '!', '?' end a sentence
    graph = oh.make_graph(
        [oh.make_node("Gather", ["table", "units"], ["logits"])], "sbd",
        [oh.make_tensor_value_info("units", TensorProto.INT64, ["B", "T"]),
         oh.make_tensor_value_info("features", TensorProto.FLOAT, ["B", "T", "F"])],
        [oh.make_tensor_value_info("logits", TensorProto.FLOAT, ["B", "T", 5])],
        [onnx.numpy_helper.from_array(table, "table")])
    model = oh.make_model(graph, opset_imports=[oh.make_opsetid("", 17)], ir_version=8)
    oh.set_model_props(model, {
        "config": json.dumps({"feat_funcs": [], "batch_size": 1}), "lexicon": "null",
        "vocab": json.dumps({"lang": src, "_id2unit": units,
                             "_unit2id": {u: i for i, u in enumerate(units)}})})
    return model.SerializeToString()


def build_argosmodel(out: Path, src: str = "en", tgt: str = "xx", seed: int = 0,
                     shape: Shape = TINY) -> Path:
    """Write translate-<src>_<tgt>-1_0.argosmodel into out and return its path."""
    piece_model = _sentencepiece(seed)
    pieces = spm.SentencePieceProcessor(model_proto=piece_model)
    vocab = [pieces.id_to_piece(i) for i in range(pieces.get_piece_size())]
    files = _model(vocab, seed, out, shape)
    files["sentencepiece.model"] = piece_model
    files[f"minisbd/{src}.onnx"] = _splitter(src)
    files["metadata.json"] = json.dumps({
        "package_version": "1.0", "argos_version": "1.0", "type": "translate",
        "from_code": src, "from_name": src, "to_code": tgt, "to_name": tgt}).encode()
    name = f"translate-{src}_{tgt}-1_0"
    path = out / f"{name}.argosmodel"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for arc, data in sorted(files.items()):
            archive.writestr(zipfile.ZipInfo(f"{name}/{arc}", (2020, 1, 1, 0, 0, 0)), data)
    return path
