"""payer-assistant: cited contract answers and deterministic rate analysis for negotiations."""
