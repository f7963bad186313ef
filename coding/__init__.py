"""Coding: the codebook and coded extracts (phase 2). Built on ``transcripts``."""
