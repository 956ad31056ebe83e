"""payer-assistant: cited contract answers and deterministic rate analysis for negotiations."""

import os as _os

# Nothing leaves the machine: no hub downloads, no telemetry from Chroma or onnxruntime (the OCR
# engine's runtime writes a device id and queues usage events unless this is set before it loads).
for _name, _value in (
    ("HF_HUB_OFFLINE", "1"),
    ("TRANSFORMERS_OFFLINE", "1"),
    ("ANONYMIZED_TELEMETRY", "False"),
    ("ORT_DISABLE_TELEMETRY", "1"),
    ("ORT_TELEMETRY_DISABLED", "1"),
):
    _os.environ.setdefault(_name, _value)
