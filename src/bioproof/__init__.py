"""BioProof: the operating platform of the bio-manufacturing demonstration consortium."""

__version__ = "0.1.0"
