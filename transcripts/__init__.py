"""Transcripts: projects, dyads, participants, transcripts and their turns and sentences (phase 1)."""
