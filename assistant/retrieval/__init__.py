"""Retrieval: offline embeddings, the Chroma index (embedded or server), lexical search, fusion."""
