"""Scores a word2vec file with gensim's own evaluation: analogies (the top
--restrict-vocab words, 30,000 by default) and word-pair Spearman.

    python3 evaluate.py vectors questions pairs [bin|txt] [--restrict-vocab N] [--words FILE]

--words FILE scores the analogies over the words listed there (top_words.py)
instead of the file's first N: tools that order words of equal count
differently, or keep a line-end token among them, then answer the same
questions.
"""
import argparse, json, logging

from gensim.models import KeyedVectors

logging.basicConfig(level=logging.ERROR)
p = argparse.ArgumentParser()
p.add_argument('path')
p.add_argument('questions')
p.add_argument('pairs')
p.add_argument('format', nargs='?', choices=['bin', 'txt'], default='bin')
p.add_argument('--restrict-vocab', type=int, default=30000)
p.add_argument('--words')
a = p.parse_args()
kv = KeyedVectors.load_word2vec_format(a.path, binary=a.format == 'bin')
scored = kv
if a.words:
    with open(a.words, encoding='utf-8') as f:
        listed = [w for w in f.read().split('\n') if w][:a.restrict_vocab]
    missing = [w for w in listed if w not in kv.key_to_index]
    if missing:
        raise SystemExit(f'{a.path}: {len(missing)} listed words have no vector, such as {missing[:3]}')
    scored = KeyedVectors(kv.vector_size)
    scored.add_vectors(listed, kv[listed])
accuracy, sections = scored.evaluate_word_analogies(a.questions, restrict_vocab=a.restrict_vocab)
sections = [s for s in sections if s['section'] != 'Total accuracy']
answered = sum(len(s['correct']) + len(s['incorrect']) for s in sections)
syntactic_sections = [s for s in sections if s['section'].startswith('gram')]
correct = sum(len(s['correct']) for s in syntactic_sections)
total = sum(len(s['correct']) + len(s['incorrect']) for s in syntactic_sections)
syntactic = correct / total if total else 0.0
(pearson, _), (spearman, _), oov = kv.evaluate_word_pairs(a.pairs, restrict_vocab=300000)
print(json.dumps({'analogy': accuracy, 'syntactic': syntactic, 'answered': answered,
                  'spearman': spearman, 'pearson': pearson, 'oov': oov}))
