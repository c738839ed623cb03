"""Shared pytest set-up: headless matplotlib, quiet TensorFlow, CPU scale."""
import os

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
