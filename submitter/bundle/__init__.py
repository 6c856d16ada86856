"""Submission bundles: the format, the source-side pipeline and the NGO opener."""
