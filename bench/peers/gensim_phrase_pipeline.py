"""The phrase pipeline with gensim: Phrases for some passes (each on the text
the passes before joined), the joined corpus written out, then Word2Vec on it, once per seed (1 to
--seeds), each model to prefix.<seed>.bin.

    python3 gensim_phrase_pipeline.py --input corpus.txt.gz --phrased joined.txt
        --output prefix [--seeds 1] [--passes 2] [--min-count 5] [--threshold 10]
        [--dim 100] [--window 5] [--negative 5] [--sample 1e-3] [--epochs 3] [--threads 2]

Prints one JSON object: the seconds of each step, the new phrases each pass
found, and the peak resident memory.
"""
import argparse
import json
import logging
import resource
import time

from gensim.models import Word2Vec
from gensim.models.phrases import FrozenPhrases, Phrases

from gensim_phrases import Lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--phrased", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--passes", type=int, default=2)
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--threshold", type=float, default=10)
    for name, kind, default in [("dim", int, 100), ("window", int, 5), ("negative", int, 5),
                                ("sample", float, 1e-3), ("epochs", int, 3), ("threads", int, 2)]:
        ap.add_argument("--" + name, type=kind, default=default)
    a = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)

    started = time.perf_counter()
    transforms = []
    phrases, seen = [], set()
    for _ in range(a.passes):
        model = Phrases(Lines(a.input, list(transforms)), min_count=a.min_count, threshold=a.threshold)
        # A later pass's export also scores again the phrases earlier passes
        # joined (they are tokens of its input); count only the new ones.
        exported = set(model.export_phrases())
        phrases.append(len(exported - seen))
        seen |= exported
        transforms.append(FrozenPhrases(model))
    learned = time.perf_counter()
    with open(a.phrased, "w", encoding="utf-8", errors="surrogateescape") as f:
        for words in Lines(a.input, transforms):
            f.write(" ".join(words))
            f.write("\n")
    written = time.perf_counter()
    train_seconds = []
    for seed in range(1, a.seeds + 1):
        begun = time.perf_counter()
        # Word2Vec's min_count is the training's own (the same value as the phrases').
        w2v = Word2Vec(corpus_file=a.phrased, vector_size=a.dim, window=a.window, min_count=a.min_count,
                       sample=a.sample, sg=1, hs=0, negative=a.negative, alpha=0.025, epochs=a.epochs,
                       workers=a.threads, seed=seed)
        train_seconds.append(time.perf_counter() - begun)
        w2v.wv.save_word2vec_format(f"{a.output}.{seed}.bin", binary=True)
    print(json.dumps({
        "phrases_seconds": learned - started,
        "write_seconds": written - learned,
        "train_seconds": train_seconds,
        "phrases": phrases,
        "vocab": len(w2v.wv),
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
