"""Negotiation documents: talking points and the counter-proposal packet (Markdown and DOCX)."""
