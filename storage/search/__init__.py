"""Full-text search over stored documents: one contract (`base.SearchIndex`), two backends.

`fts.Fts5Index` is the embedded default (a SQLite file beside the database);
`elasticsearch.ElasticsearchIndex` serves production. Both tokenise Chinese the same way
(`tokens`: jieba words with the project dictionary, plus character bigrams).
"""
