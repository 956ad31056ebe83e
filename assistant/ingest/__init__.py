"""Document ingestion: loaders (PDF, DOCX, text), offline OCR, contract-aware chunking."""
