"""Trains gensim's Word2Vec with the settings word2vec-ts is compared on; prints one JSON line."""
import argparse, json, logging, resource, time

from gensim.models import Word2Vec

p = argparse.ArgumentParser()
p.add_argument('--corpus-file', required=True, help='uncompressed text, one sentence per line')
p.add_argument('--output', required=True)
p.add_argument('--arch', choices=['sg', 'cbow'], default='sg')
p.add_argument('--loss', choices=['ns', 'hs'], default='ns')
for name, kind, default in [('dim', int, 100), ('window', int, 5), ('negative', int, 5), ('sample', float, 1e-3),
                            ('min-count', int, 5), ('epochs', int, 1), ('threads', int, 2), ('alpha', float, None)]:
    p.add_argument('--' + name, type=kind, default=default)
a = p.parse_args()
logging.basicConfig(level=logging.WARNING)

sg = a.arch == 'sg'
alpha = a.alpha if a.alpha is not None else (0.025 if sg else 0.05)
start = time.perf_counter()
model = Word2Vec(corpus_file=a.corpus_file, vector_size=a.dim, window=a.window, min_count=a.min_count,
                 sample=a.sample, sg=int(sg), hs=int(a.loss == 'hs'), negative=a.negative if a.loss == 'ns' else 0,
                 alpha=alpha, epochs=a.epochs, workers=a.threads, seed=1)
seconds = time.perf_counter() - start
model.wv.save_word2vec_format(a.output, binary=True)
print(json.dumps({
    'seconds': seconds,
    'corpus_words': model.corpus_total_words * a.epochs,
    'vocab': len(model.wv),
    'max_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
