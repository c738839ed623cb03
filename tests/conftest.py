"""Shared pytest set-up: quiet TensorFlow, CPU scale and offline data for unit tests and nbval kernels alike."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("LMBOOK_SCALE", "cpu")
os.environ.setdefault("LMBOOK_ONLINE", "0")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
