"""Themes: candidate themes to the paper's theme table (phases 3–6). Built on ``coding``."""
