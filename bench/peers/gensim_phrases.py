"""Learns phrases with gensim 4's Phrases, for the tests and the phrase benchmark.

Sentences are the corpus's lines split on ASCII white space (space, tab,
vertical tab, form feed, carriage return), as word2vec-ts reads them.

    python3 gensim_phrases.py --input corpus.txt.gz [--min-count 5]
        [--connector-words english|none] [--score default:10 --score npmi:0.5]
        [--phrases-out prefix] [--apply-lines N] [--passes 1]

Prints one JSON object: seconds (learning), peak_mib, and per score the
phrases (phrase -> score) unless --phrases-out writes them to prefix.<scoring>.tsv;
with --apply-lines, the first N sentences as the first score's model joins them.
"""
import argparse
import gzip
import json
import re
import resource
import sys
import time

from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, FrozenPhrases, Phrases

SPACE = re.compile(rb"[\t\n\v\f\r ]+")


class Lines:
    def __init__(self, path, transforms=()):
        self.path = path
        self.transforms = transforms

    def __iter__(self):
        opener = gzip.open if open(self.path, "rb").read(2) == b"\x1f\x8b" else open
        with opener(self.path, "rb") as f:
            for line in f:
                words = [w.decode("utf-8", "surrogateescape") for w in SPACE.split(line) if w]
                if not words:
                    continue
                for t in self.transforms:
                    words = t[words]
                yield words


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--connector-words", default="none")
    ap.add_argument("--score", action="append", default=[])
    ap.add_argument("--phrases-out")
    ap.add_argument("--apply-lines", type=int, default=0)
    ap.add_argument("--passes", type=int, default=1)
    args = ap.parse_args()
    scores = [(s.split(":")[0], float(s.split(":")[1])) for s in (args.score or ["default:10"])]
    connectors = ENGLISH_CONNECTOR_WORDS if args.connector_words == "english" else frozenset()
    started = time.perf_counter()
    transforms = []
    first_scoring, first_threshold = scores[0]
    model = None
    for _ in range(args.passes):
        model = Phrases(
            Lines(args.input, list(transforms)),
            min_count=args.min_count,
            threshold=first_threshold,
            scoring=first_scoring,
            connector_words=connectors,
        )
        transforms.append(FrozenPhrases(model))
    seconds = time.perf_counter() - started
    out = {"seconds": seconds, "vocab": len(model.vocab), "total_words": model.corpus_word_count}
    results = {}
    for scoring, threshold in scores:
        model.scoring = Phrases(None, scoring=scoring, threshold=threshold).scoring
        model.threshold = threshold
        exported = model.export_phrases()
        if args.phrases_out:
            with open(f"{args.phrases_out}.{scoring}.tsv", "w", encoding="utf-8") as f:
                for phrase, score in exported.items():
                    f.write(f"{phrase}\t{score!r}\n")
            results[scoring] = len(exported)
        else:
            results[scoring] = exported
    out["phrases"] = results
    if args.apply_lines:
        model.scoring = Phrases(None, scoring=first_scoring, threshold=first_threshold).scoring
        model.threshold = first_threshold
        frozen = transforms[:-1] + [FrozenPhrases(model)]
        applied = []
        for i, words in enumerate(Lines(args.input)):
            if i >= args.apply_lines:
                break
            for t in frozen:
                words = t[words]
            applied.append(words)
        out["applied"] = applied
    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
